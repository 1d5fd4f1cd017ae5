"""`apply`: make CircleCI match the manifest, or apply a saved, still-current plan."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.cli.app import EXIT_ERROR, err, handle_errors, main
from reconciler.cli.confirm import confirm_apply
from reconciler.cli.options import (
    api_options,
    ledger_option,
    no_color_option,
    rewrite_option,
    target_option,
)
from reconciler.cli.session import color, reading, session

if TYPE_CHECKING:  # loaded by the command itself: `--help` stays quick
    from reconciler.apply import Outcome
    from reconciler.applying import Session
    from reconciler.core import Plan
    from reconciler.engine import Progress


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Apply this saved plan; refused if the manifest or CircleCI moved since.",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-deletes", is_flag=True, help="Allow more than policy.max_deletes.")
@click.option("--force", is_flag=True, help="Allow updating more than half the managed objects.")
@target_option
@ledger_option
@rewrite_option
@no_color_option
@api_options
@handle_errors
def apply(
    paths: tuple[Path, ...],
    plan_file: Path | None,
    auto_approve: bool,
    allow_deletes: bool,
    force: bool,
    targets: tuple[str, ...],
    ledger: Path | None,
    rewrite_secrets: bool,
    no_color: bool,
    host: str | None,
    concurrency: int,
) -> None:
    """Make CircleCI match the manifest (or apply a saved, still-current plan)."""
    from reconciler.applying import ApplyRequest, apply_manifest

    if paths and plan_file:
        raise click.UsageError("give manifest PATHS or --plan PLANFILE, not both")
    if not paths and not plan_file:
        raise click.UsageError("give the manifest PATHS to apply, or --plan PLANFILE")
    request = ApplyRequest(
        paths=paths,
        plan_file=plan_file,
        targets=targets,
        rewrite_secrets=rewrite_secrets,
        allow_deletes=allow_deletes,
        force=force,
    )
    operator = _Terminal(host, concurrency, ledger, auto_approve, color(no_color))
    try:
        report = apply_manifest(request, operator)
    except KeyboardInterrupt:
        if operator.planned is None:  # before any write: the generic message says enough
            raise
        from reconciler.render.outcomes import interrupted_summary

        err(interrupted_summary(operator.planned, operator.seen))
        sys.exit(EXIT_ERROR)
    if report.plan.empty:
        return
    counts = {s: report.count(s) for s in ("done", "failed", "skipped")}
    click.echo(
        f"Apply finished: {counts['done']} done, {counts['failed']} failed, "
        f"{counts['skipped']} skipped."
    )
    if not report.complete:
        sys.exit(EXIT_ERROR)


class _Terminal:
    """The flow's operator on the command line: the session from flags and the environment,
    the plan and outcomes on stdout, the question on the terminal."""

    SYMBOLS = {"done": "ok", "failed": "FAILED", "skipped": "skipped"}

    def __init__(
        self, host: str | None, concurrency: int, ledger: Path | None, auto: bool, colored: bool
    ):
        self.host, self.concurrency, self.ledger = host, concurrency, ledger
        self.auto, self.colored = auto, colored
        # For an interrupted apply's summary: the approved plan's addresses, the outcomes.
        self.planned: list[str] | None = None
        self.seen: dict[str, str] = {}

    def open(self, paths: tuple[Path, ...]) -> Session:
        from reconciler.applying import Session

        if not self.auto and not sys.stdin.isatty():
            raise click.UsageError(
                "stdin is not a terminal: pass --auto-approve to apply unattended"
            )
        return Session(*session(paths, self.host, self.concurrency, self.ledger))

    def reading(self) -> AbstractContextManager[Progress | None]:
        return reading()

    def show(self, plan: Plan) -> None:
        from reconciler.render import render

        click.echo(render(plan.to_dict(), "text", color=self.colored), nl=False)

    def approve(self, plan: Plan) -> None:
        if not self.auto:
            confirm_apply(len(plan.changes))
        self.planned = [c.address for c in plan.changes]

    def report(self, outcome: Outcome) -> None:
        from reconciler.render.values import clean

        self.seen[outcome.address] = outcome.status
        # Live names may hold terminal control characters: shown escaped, as in the plan.
        line = f"{self.SYMBOLS[outcome.status]:>7}  {outcome.action:<7} {clean(outcome.address)}"
        click.echo(line + (f"  ({clean(outcome.detail)})" if outcome.detail else ""))
