"""`lint`: find risky CircleCI settings in the manifest (offline) or the live organization."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.app import EXIT_CHANGES, err, handle_errors, main
from reconciler.cli.options import api_options, no_color_option

LINT_FORMATS = ("text", "json", "sarif", "junit")
SEVERITIES = ("low", "medium", "high", "critical")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--live", is_flag=True, help="Lint the live organization (read-only) instead.")
@click.option("--format", "fmt", type=click.Choice(LINT_FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="high",
    show_default=True,
    help="Exit 2 when a finding has this severity or a higher one.",
)
@click.option("--list-rules", is_flag=True, help="List the rules, why and how to fix, and exit.")
@no_color_option
@api_options
@handle_errors
def lint(
    paths: tuple[Path, ...],
    live: bool,
    fmt: str,
    output: Path | None,
    fail_on: str,
    list_rules: bool,
    no_color: bool,
    host: str | None,
    concurrency: int,
) -> None:
    """Report risky settings: in the manifest (offline, for pull requests) or, with --live, in
    the organization (exit 0 clean, 2 findings at or above --fail-on, 1 error)."""
    from reconciler.errors import ReconcilerError
    from reconciler.lint import Severity, lint_live, lint_offline, rules_table
    from reconciler.manifest import load_manifest

    if list_rules:
        from reconciler.render.lint import render_rules

        click.echo(render_rules(rules_table()), nl=False)
        return
    if not paths:
        raise ReconcilerError("lint needs manifest files or directories (or --list-rules)")
    # Secrets are never resolved: lint reads names and settings, not values.
    manifest = load_manifest(paths)
    threshold = Severity[fail_on.upper()]
    if live:
        from reconciler.cli.session import client_config, reading
        from reconciler.client import CircleCI

        api = CircleCI(client_config(host, concurrency))
        with reading():
            report = lint_live(api, manifest, threshold)
    else:
        report = lint_offline(manifest, threshold)
    text = _render(report, fmt, color=_color(no_color) and output is None)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err(f"Wrote the lint report to {output}.")
        if fmt != "text":  # the verdict on the terminal as well
            err(_render(report, "text", color=False).rstrip("\n").splitlines()[-1])
    else:
        click.echo(text, nl=False)
    if report["summary"]["failing"]:
        sys.exit(EXIT_CHANGES)


def _color(no_color: bool) -> bool:
    from reconciler.cli.session import color

    return color(no_color)


def _render(report: dict[str, object], fmt: str, color: bool) -> str:
    from reconciler.render.lint import render_lint_json, render_lint_text
    from reconciler.render.lint_junit import render_lint_junit
    from reconciler.render.sarif import render_sarif

    if fmt == "json":
        return render_lint_json(report)
    if fmt == "sarif":
        return render_sarif(report)
    if fmt == "junit":
        return render_lint_junit(report)
    return render_lint_text(report, color=color)
