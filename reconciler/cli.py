"""Command line: parse, call the engine, render, exit code. The only module that prints."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler import __version__
from reconciler.errors import ManifestError, ReconcilerError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def _err(message: str) -> None:
    click.echo(message, err=True)


def handle_errors(fn: F) -> F:
    """Map the exception tree to exit codes and clean messages: no traceback for user errors."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ManifestError as exc:
            for problem in exc.problems:
                _err(str(problem))
            n = len(exc.problems)
            _err(f"{n} problem{'s' if n != 1 else ''} found.")
            sys.exit(EXIT_ERROR)
        except ReconcilerError as exc:
            _err(f"Error: {exc}")
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


class _Group(click.Group):
    """Usage errors exit 1 (the contract), not click's default 2, which means 'changes'."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("standalone_mode", True)
        try:
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.exceptions.Abort:
            _err("Aborted.")
            sys.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="circleci-reconciler")
def main() -> None:
    """GitOps for CircleCI: keep projects, contexts, schedules and webhooks in a YAML manifest.

    \b
    validate  check manifests offline
    plan      show what apply would change
    apply     make CircleCI match the manifest
    drift     report what changed by hand
    export    write a manifest from a live organization
    schema    print the manifest's JSON Schema
    emulator  run a local CircleCI API for tests and demos
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@handle_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check manifest files or directories without calling the API (exit 0 valid, 1 invalid)."""
    from reconciler.manifest import load_manifest

    manifest = load_manifest(list(paths))
    click.echo(
        f"Valid: {len(manifest.projects)} project(s), {len(manifest.contexts)} context(s) "
        f"for {manifest.organization}."
    )


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@handle_errors
def schema(output: Path | None) -> None:
    """Print the manifest's JSON Schema (for editors: yaml-language-server)."""
    from reconciler.manifest import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        _err(f"Wrote {output}")
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--token", "tokens", multiple=True, help="Accept this token (member of every org).")
@click.option("--latency-ms", type=int, default=0, show_default=True)
@click.option("--rate-limit", type=float, default=0, show_default=True, help="Requests/s/token.")
@click.option("--fault-rate", type=float, default=0.0, show_default=True)
@click.option("--fault-seed", type=int, default=None, help="Make faults repeatable.")
@click.option("--page-size", type=int, default=20, show_default=True)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Load the world from here if it exists, and save it on every change.",
)
@handle_errors
def emulator(
    port: int,
    seed: Path | None,
    tokens: tuple[str, ...],
    latency_ms: int,
    rate_limit: float,
    fault_rate: float,
    fault_seed: int | None,
    page_size: int,
    state_file: Path | None,
) -> None:
    """Serve a local CircleCI API on 127.0.0.1 until stopped (first line: its URL)."""
    from reconciler.emulator import EmulatorConfig, EmulatorServer

    config = EmulatorConfig(
        port=port,
        seed_path=seed,
        tokens=list(tokens),
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
        page_size=page_size,
        state_file=state_file,
    )
    server = EmulatorServer(config)
    url = server.start()
    click.echo(url)
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
