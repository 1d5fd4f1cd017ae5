"""`emulator`: a local CircleCI API for tests and demos."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from reconciler.cli.app import handle_errors, main
from reconciler.errors import ReconcilerError


@main.command()
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--token", "tokens", multiple=True, help="Accept this token (member of every org).")
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Requests/s/token (0: none).",
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of API requests that fail.",
)
@click.option("--fault-seed", type=int, default=None, help="Make faults repeatable.")
@click.option(
    "--fault",
    "fault_rules",
    multiple=True,
    metavar="SPEC",
    help="A hostile answer, e.g. status=401,route=/api/v2/me,after=1 (see the emulator README).",
)
@click.option("--page-size", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Load the world from here if it exists, and save it on every change.",
)
@click.option("--tls", is_flag=True, help="Serve https with a generated certificate (openssl).")
@click.option(
    "--tls-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --tls: write ca.pem (for --ca-bundle) here, not in a temporary directory.",
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
    fault_rules: tuple[str, ...],
    page_size: int,
    state_file: Path | None,
    tls: bool,
    tls_dir: Path | None,
) -> None:
    """Serve a local CircleCI API on 127.0.0.1 until stopped (first line: its URL; with
    --tls, the second: the CA certificate file a client must trust)."""
    try:
        from reconciler.emulator import EmulatorConfig, EmulatorServer, SeedError
        from reconciler.emulator.banner import banner
    except ModuleNotFoundError as exc:  # werkzeug comes with the `emulator` extra
        raise ReconcilerError(
            f"the emulator needs {exc.name}: pip install 'circleci-reconciler[emulator]'"
        ) from None

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
        fault_rules=list(fault_rules),
        tls=tls,
        tls_dir=tls_dir,
    )
    try:
        server = EmulatorServer(config)
        url = server.start()
    except (SeedError, OSError, ValueError) as exc:  # ValueError: a bad --fault SPEC
        raise ReconcilerError(f"cannot start the emulator: {exc}") from None
    click.echo(url)
    if server.ca_file is not None:
        click.echo(server.ca_file)
    sys.stdout.flush()
    seed_data = config.seed if config.seed is not None else _seed_of(seed)
    for line in banner(server.world, url, seed_data):
        click.echo(line, err=True)
    _log_to_stderr()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _seed_of(path: Path | None) -> Any:
    """The seed as written, for the banner (already read once: it parses)."""
    if path is None:
        return None
    from reconciler.emulator.seed import read_seed

    return read_seed(path)


def _log_to_stderr() -> None:
    """The emulator's own notes (such as why a request got 401) go to stderr."""
    logger = logging.getLogger("reconciler.emulator")
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("emulator: %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
