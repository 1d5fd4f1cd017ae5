"""`apply`: make CircleCI match the manifest, or apply a saved, still-current plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

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
from reconciler.cli.session import color, make_plan, session


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
    from reconciler.apply import apply_plan
    from reconciler.plan import check_safety
    from reconciler.render import render
    from reconciler.render.outcomes import finished_summary, interrupted_summary
    from reconciler.render.values import clean
    from reconciler.runlock import apply_lock
    from reconciler.savedplan import check_present, load_saved, verify_saved

    if paths and plan_file:
        raise click.UsageError("give manifest PATHS or --plan PLANFILE, not both")
    if not paths and not plan_file:
        raise click.UsageError("give the manifest PATHS to apply, or --plan PLANFILE")
    saved = load_saved(plan_file) if plan_file else None
    if saved is not None:
        check_present(saved)
        paths, targets = saved.paths, tuple(saved.targets)
        rewrite_secrets = saved.rewrite_secrets
    if not auto_approve and not sys.stdin.isatty():
        raise click.UsageError("stdin is not a terminal: pass --auto-approve to apply unattended")
    manifest, resolver, api, book = session(paths, host, concurrency, ledger)
    # Held from the read to the last write: two applies planning at once duplicate objects.
    locked = [Path(f) for f in manifest.files] + ([book.path] if book is not None else [])
    with apply_lock(locked):
        if book is not None:  # read again under the lock: a run that just ended saved it
            book = type(book).open(book.path)
        result = make_plan(
            manifest, resolver, api, book, list(targets), rewrite_secrets=rewrite_secrets
        )
        if saved is not None:
            verify_saved(saved, result.plan, manifest.files)
        click.echo(render(result.plan.to_dict(), "text", color=color(no_color)), nl=False)
        if result.plan.empty:
            return
        check_safety(
            result.plan,
            max_deletes=manifest.policy.max_deletes,
            allow_deletes=allow_deletes,
            force=force,
        )
        if book is not None:
            book.check_writable()
        if not auto_approve:
            confirm_apply(len(result.plan.changes))

        symbols = {"done": "ok", "failed": "FAILED", "skipped": "skipped"}
        seen: dict[str, str] = {}

        def report(outcome: Any) -> None:
            seen[outcome.address] = outcome.status
            # Live names may hold terminal control characters: shown escaped, as in the plan.
            line = f"{symbols[outcome.status]:>7}  {outcome.action:<7} {clean(outcome.address)}"
            click.echo(line + (f"  ({clean(outcome.detail)})" if outcome.detail else ""))

        try:
            apply_plan(result, api, resolver, ledger=book, on_outcome=report)
        except KeyboardInterrupt:
            err(interrupted_summary([c.address for c in result.plan.changes], seen))
            sys.exit(EXIT_ERROR)
        finally:
            if book is not None:
                book.save()
        click.echo(finished_summary(seen))
        if any(status != "done" for status in seen.values()):
            sys.exit(EXIT_ERROR)
