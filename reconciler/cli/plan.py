"""`plan`: show what apply would change."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.app import EXIT_CHANGES, err, handle_errors, main
from reconciler.cli.options import (
    FORMATS,
    api_options,
    ledger_option,
    no_color_option,
    rewrite_option,
    target_option,
)
from reconciler.cli.session import color, make_plan, session


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option(
    "--no-values",
    is_flag=True,
    help="Read no env:/file: value (a pull-request plan needs no secret); values are not compared.",
)
@target_option
@ledger_option
@rewrite_option
@no_color_option
@api_options
@handle_errors
def plan(
    paths: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    no_values: bool,
    targets: tuple[str, ...],
    ledger: Path | None,
    rewrite_secrets: bool,
    no_color: bool,
    host: str | None,
    concurrency: int,
) -> None:
    """Show what apply would change, without changing anything."""
    from reconciler.render import render
    from reconciler.savedplan import save_plan

    if no_values and (out or rewrite_secrets or ledger):
        raise click.UsageError(
            "--no-values cannot be combined with --out, --ledger or --rewrite-secrets"
        )
    manifest, resolver, api, book = session(paths, host, concurrency, ledger, values=not no_values)
    result = make_plan(
        manifest, resolver, api, book, list(targets), rewrite_secrets=rewrite_secrets
    )
    click.echo(render(result.plan.to_dict(), fmt, color=color(no_color)), nl=False)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        save_plan(out, result.plan, paths, manifest.files, list(targets), rewrite_secrets)
        err(f"Saved the plan to {out} (it holds no secret values).")
    if detailed_exitcode and not result.plan.empty:
        sys.exit(EXIT_CHANGES)
