"""`rotate-ledger-key`: re-key the fingerprint ledger, offline."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.cli.app import handle_errors, main
from reconciler.cli.options import ledger_option


@main.command("rotate-ledger-key")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@ledger_option
@handle_errors
def rotate_ledger_key(paths: tuple[Path, ...], ledger: Path | None) -> None:
    """Re-key the ledger from CIRCLECI_RECONCILER_OLD_LEDGER_KEY to
    CIRCLECI_RECONCILER_LEDGER_KEY. Offline: no API call, no secret rewritten in CircleCI."""
    from reconciler.manifest import SecretResolver, load_manifest
    from reconciler.rekey import rotate_ledger_key as rotate
    from reconciler.rekey import rotation_keys
    from reconciler.runlock import apply_lock

    manifest = load_manifest(list(paths))
    where = ledger or manifest.ledger_path
    if where is None:
        raise click.UsageError("give --ledger FILE, or set policy.ledger in the manifest")
    rotation_keys(where, os.environ)  # before reading any secret: a missing key is cheap to say
    resolver = SecretResolver()
    resolver.resolve_all(manifest)
    # The ledger is rewritten: not while an apply records into it.
    with apply_lock([Path(f) for f in manifest.files] + [where]):
        rekeyed, dropped = rotate(manifest, resolver, where, os.environ)
    click.echo(f"Re-keyed {rekeyed} fingerprint(s) in {where}; nothing was written to CircleCI.")
    if dropped:
        click.echo(
            f"Dropped {dropped} fingerprint(s) whose value changed since the last apply or that "
            "the manifest no longer declares: the next apply writes those once to record them."
        )
