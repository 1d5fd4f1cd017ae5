"""`export`: write a manifest from a live organization."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.app import err, handle_errors, main
from reconciler.cli.options import api_options


@main.command()
@click.option("--org", "org", required=True, help="Organization slug, e.g. gh/acme.")
@click.option("--project", "projects", multiple=True, help="Project slug to include.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@api_options
@handle_errors
def export(
    org: str, projects: tuple[str, ...], output: Path | None, host: str | None, concurrency: int
) -> None:
    """Write a manifest describing a live organization (secrets as {env: ...} placeholders)."""
    from reconciler.cli.session import client_config
    from reconciler.client import CircleCI
    from reconciler.export import export_manifest

    if not projects:
        err("No --project given: only the organization's contexts are exported.")
    api = CircleCI(client_config(host, concurrency))
    text = export_manifest(api, org, list(projects))
    if output:
        output.write_text(text, encoding="utf-8")
        err(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)
