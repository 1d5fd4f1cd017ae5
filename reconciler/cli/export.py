"""`export`: write a manifest from a live organization."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.app import err, handle_errors, main
from reconciler.cli.options import api_options


@main.command()
@click.option("--org", "org", required=True, help="Organization slug, e.g. gh/acme.")
@click.option(
    "--project",
    "projects",
    multiple=True,
    help="Project slug, or a glob among the projects found (default: every one found).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")
@click.option(
    "--placeholders",
    is_flag=True,
    help="Write secrets as {env: ...} to set before plan (default: adopted as {}).",
)
@click.option(
    "--defaults", "shared", is_flag=True, help="Write what most projects share once, as defaults."
)
@api_options
@handle_errors
def export(
    org: str,
    projects: tuple[str, ...],
    output: Path | None,
    force: bool,
    placeholders: bool,
    shared: bool,
    host: str | None,
    concurrency: int,
) -> None:
    """Write a manifest describing a live organization (secret variables adopted as {})."""
    from reconciler.cli.session import client_config, reading
    from reconciler.client import CircleCI
    from reconciler.errors import ReconcilerError
    from reconciler.export import export_manifest

    # Said before reading CircleCI: a manifest edited by hand is not silently replaced.
    refused = f"{output} already exists: pass --force to overwrite it"
    if output and output.exists() and not force:
        raise ReconcilerError(refused)
    if not projects or any(c in p for p in projects for c in "*?["):
        err(
            "Exporting the projects CircleCI lists for this token's user (those it follows, "
            "and those the contexts are restricted to): name any other with --project."
        )
    api = CircleCI(client_config(host, concurrency))
    # Files beside the manifest (a policy bundle) are written only with --output.
    files: dict[str, str] | None = {} if output else None
    with reading() as update:  # a progress bar on a terminal
        text = export_manifest(
            api,
            org,
            list(projects),
            placeholders=placeholders,
            defaults=shared,
            progress=update,
            files=files,
        )
    if output:
        _check_beside(output.parent, files or {}, force)
        _write(output, text, force, refused)
        for rel, body in sorted((files or {}).items()):
            beside = output.parent / rel
            beside.parent.mkdir(parents=True, exist_ok=True)
            _write(beside, body, force, f"{beside} already exists: pass --force to overwrite it")
        err(f"Wrote {output}" + (f" and {len(files)} file(s) beside it." if files else "."))
    else:
        click.echo(text, nl=False)


def _check_beside(base: Path, files: dict[str, str], force: bool) -> None:
    """Before anything is written: a file beside the manifest that exists is refused unless
    forced (not the manifest written and then the refusal), and a file of the same kind in a
    directory export writes to, but not written by it, is refused even when forced: the
    manifest reads the whole directory, so the exported manifest would not plan clean."""
    from reconciler.errors import ReconcilerError

    problems: list[str] = []
    written = {(base / rel) for rel in files}
    for path in sorted(written):
        if path.exists() and not force:
            problems.append(f"{path} already exists: pass --force to overwrite it")
    for folder in sorted({p.parent for p in written}):
        if any(f.exists() and not f.is_dir() for f in (folder, *folder.parents)):
            problems.append(f"{folder} cannot be made: a file of that name is in the way")
    for folder, suffix in sorted({(p.parent, p.suffix) for p in written}):
        found = folder.rglob(f"*{suffix}") if folder.is_dir() else iter(())
        stale = sorted(p for p in found if p not in written)
        problems += [
            f"{p} is not in CircleCI but would be read with the exported manifest: "
            "remove it, or export elsewhere"
            for p in stale
        ]
    if problems:
        raise ReconcilerError("; ".join(problems) + "; nothing was written")


def _write(path: Path, text: str, force: bool, refused: str) -> None:
    from reconciler.errors import ReconcilerError

    try:  # exclusive unless forced: a file made meanwhile is not replaced either
        with path.open("w" if force else "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise ReconcilerError(refused) from None
