"""`schema`: the manifest's JSON Schema, for editors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.cli.app import err, handle_errors, main


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@handle_errors
def schema(output: Path | None) -> None:
    """Print the manifest's JSON Schema (for editors: yaml-language-server)."""
    from reconciler.manifest import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        err(f"Wrote {output}")
    else:
        click.echo(text, nl=False)
