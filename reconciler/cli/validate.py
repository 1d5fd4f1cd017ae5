"""`validate`: check manifests offline."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.app import handle_errors, main


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@handle_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check manifest files or directories without calling the API (exit 0 valid, 1 invalid)."""
    from reconciler.manifest import SecretResolver, load_manifest

    manifest = load_manifest(list(paths))
    SecretResolver().resolve_all(manifest, files_only=True)
    click.echo(
        f"Valid: {len(manifest.projects)} project(s), {len(manifest.contexts)} context(s) "
        f"for {manifest.organization}."
    )
