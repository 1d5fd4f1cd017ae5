"""`drift`: report what differs between CircleCI and the manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.app import EXIT_CHANGES, err, handle_errors, main
from reconciler.cli.options import FORMATS, api_options, ledger_option, no_color_option
from reconciler.cli.session import color, make_plan, session


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS + ("junit",)), default="text", show_default=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@ledger_option
@no_color_option
@api_options
@handle_errors
def drift(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    ledger: Path | None,
    no_color: bool,
    host: str | None,
    concurrency: int,
) -> None:
    """Report what differs between CircleCI and the manifest (exit 0 in sync, 2 drift)."""
    from reconciler.drift import drift_report, secret_fields
    from reconciler.render.drift import render_drift

    manifest, resolver, api, book = session(paths, host, concurrency, ledger)
    # A declared project that is gone is drift to report, not a reason to report nothing.
    result = make_plan(manifest, resolver, api, book, [], strict=False)
    report = drift_report(result, book)
    paint = color(no_color) and output is None
    text = render_drift(report, fmt, color=paint, secret_fields=secret_fields())
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err(f"Wrote the drift report to {output}.")
    else:
        click.echo(text, nl=False)
    if not report["in_sync"]:
        sys.exit(EXIT_CHANGES)
