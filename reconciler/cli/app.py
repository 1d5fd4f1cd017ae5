"""The command group and what every command shares: the error handler that maps the exception
tree to exit codes and clean messages, signal handling and logging. The cli package is the only
place that prints."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from reconciler import __version__
from reconciler.cli import interrupts
from reconciler.errors import ManifestError, ReconcilerError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR, EXIT_CHANGES = 1, 2  # 0: success, no changes, in sync


def err(message: str) -> None:
    click.echo(message, err=True)


def handle_errors(fn: F) -> F:
    """Map the exception tree to exit codes and clean messages: no traceback for user errors."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ManifestError as exc:
            for problem in exc.problems:
                err(str(problem))
            n = exc.total
            err(f"{n} problem{'s' if n != 1 else ''} found.")
            sys.exit(EXIT_ERROR)
        except ReconcilerError as exc:
            err(f"Error: {exc}")
            sys.exit(exc.exit_code)
        except OSError as exc:  # a file we were asked to read or write
            where = f": {exc.filename}" if exc.filename else ""
            err(f"Error: {exc.strerror or type(exc).__name__}{where}")
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def _verbose_after(ctx: click.Context, param: click.Parameter, value: int) -> None:
    """`plan -v` as well as `-v plan`: the counts add up (the group's runs first)."""
    if value:
        before = ctx.parent.params.get("verbose", 0) if ctx.parent is not None else 0
        _configure_logging(before + value)


class _Group(click.Group):
    """Usage errors exit 1 (the contract), not click's default 2, which means 'changes'."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        # Every command takes -v too: it is usually typed at the end of a command line.
        cmd.params.append(
            click.Option(
                ["-v", "--verbose"],
                count=True,
                expose_value=False,
                callback=_verbose_after,
                help="-v: progress; -vv: every API call (also before the command).",
            )
        )
        super().add_command(cmd, name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # SIGTERM (a cancelled CI job) unwinds like Ctrl-C, so ledgers are saved on the way out.
        if threading.current_thread() is threading.main_thread():
            interrupts.install()
        try:
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.exceptions.Abort:
            err("Aborted.")
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            _interrupted()
        except RuntimeError as exc:
            # A signal during a lazy import may land inside class creation, which wraps it.
            if not isinstance(exc.__cause__, KeyboardInterrupt):
                raise
            _interrupted()


def _interrupted() -> None:
    applying = len(sys.argv) > 1 and "apply" in sys.argv[1:]
    hint = ": the next apply repairs whatever this run left undone" if applying else ""
    err(f"Interrupted{hint}.")
    sys.exit(EXIT_ERROR)


def _configure_logging(verbose: int) -> None:
    """-v: progress of reads and writes; -vv: every API call (method, path, status, time).
    Log records never carry a value or the token: messages name paths and addresses only."""
    logger = logging.getLogger("reconciler")
    for handler in [h for h in logger.handlers if getattr(h, "_reconciler", False)]:
        logger.removeHandler(handler)
    if not verbose:
        logger.setLevel(logging.WARNING)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._reconciler = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="circleci-reconciler")
@click.option("-v", "--verbose", count=True, help="-v: progress; -vv: every API call.")
def main(verbose: int) -> None:
    """GitOps for CircleCI: keep projects, pipelines, contexts and organization settings in YAML.

    \b
    validate  check manifests offline
    plan      show what apply would change
    apply     make CircleCI match the manifest
    drift     report what changed by hand
    comment   post the plan as one pull-request comment
    export    write a manifest from a live organization
    convert-schedules
              rewrite legacy schedules as schedule triggers
    lint      find risky settings in the manifest or live
    schema    print the manifest's JSON Schema
    emulator  run a local CircleCI API for tests and demos
    rotate-ledger-key
              re-key the fingerprint ledger, offline
    """
    _configure_logging(verbose)
