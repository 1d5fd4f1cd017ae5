"""What plan, apply and drift share: the loaded manifest, the API, the ledger, progress."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def session(
    paths: tuple[Path, ...],
    host: str | None,
    concurrency: int,
    ledger: Path | None,
    values: bool = True,
) -> tuple[Any, Any, Any, Any]:
    """Load and resolve the manifest (every secret, before any API call), open the API.
    `values=False`: no secret is read (resolver None), so no value is compared either."""
    from reconciler.client import CircleCI
    from reconciler.ledger import Ledger
    from reconciler.manifest import SecretResolver, load_manifest

    manifest = load_manifest(list(paths))
    resolver = SecretResolver() if values else None
    if resolver is not None:
        resolver.resolve_all(manifest)
    # The manifest lives as long as the run: the cyclic collector need not rescan it each
    # time the plan allocates (a large organization's plan spent a tenth of its CPU there).
    gc.freeze()
    api = CircleCI(client_config(host, concurrency))
    if resolver is not None:  # an answer may quote a secret its request did not send
        api.http.scrub_also(resolver.values())
    where = ledger or manifest.ledger_path
    # Without values the ledger is not opened: its fingerprints compare values (and its key
    # check would ask for a key this run should not hold).
    return manifest, resolver, api, Ledger.open(where) if where and values else None


def client_config(host: str | None, concurrency: int) -> Any:
    """Settings from flags and the environment; a warning when the token may travel in clear."""
    import click

    from reconciler.cli.app import err
    from reconciler.client import ClientConfig

    meta = click.get_current_context().meta
    allow = bool(meta.get("allow_http"))
    config = ClientConfig.from_env(
        host=host, concurrency=concurrency, allow_http=allow, ca_bundle=meta.get("ca_bundle")
    )
    if config.in_clear:
        err(f"Warning: {config.host} is plain http: the API token crosses the network in clear.")
    return config


def progress(label: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress bar on an interactive terminal; nothing in CI or when piped."""
    if not (sys.stdout.isatty() and sys.stderr.isatty()) or os.environ.get("CI"):
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("collections read"),
        TimeElapsedColumn(),
        transient=True,
        console=Console(stderr=True),
    )
    task = bar.add_task(label, total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop


def color(no_color: bool) -> bool:
    return sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ


def make_plan(
    manifest: Any,
    resolver: Any,
    api: Any,
    ledger: Any,
    targets: list[str],
    strict: bool = True,
    rewrite_secrets: bool = False,
) -> Any:
    """The plan, with a progress bar on a terminal."""
    from reconciler import engine

    with reading() as update:
        return engine.make_plan(
            manifest,
            api,
            resolver=resolver,
            ledger=ledger,
            targets=targets,
            progress=update,
            strict=strict,
            rewrite_secrets=rewrite_secrets,
        )


@contextmanager
def reading() -> Iterator[Callable[[int, int], None] | None]:
    """Progress of the live read, gone before the plan is shown."""
    update, stop = progress("Reading CircleCI")
    try:
        yield update
    finally:
        stop()
