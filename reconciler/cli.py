"""Command line: parse, call the engine, render, exit code. The only module that prints."""

from __future__ import annotations

import gc
import json
import logging
import os
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

EXIT_ERROR, EXIT_CHANGES = 1, 2  # 0: success, no changes, in sync


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
            n = exc.total
            _err(f"{n} problem{'s' if n != 1 else ''} found.")
            sys.exit(EXIT_ERROR)
        except ReconcilerError as exc:
            _err(f"Error: {exc}")
            sys.exit(exc.exit_code)
        except OSError as exc:  # a file we were asked to read or write
            where = f": {exc.filename}" if exc.filename else ""
            _err(f"Error: {exc.strerror or type(exc).__name__}{where}")
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class _Group(click.Group):
    """Usage errors exit 1 (the contract), not click's default 2, which means 'changes'."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # SIGTERM (a cancelled CI job) unwinds like Ctrl-C, so ledgers are saved on the way out.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
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
        except KeyboardInterrupt:
            applying = len(sys.argv) > 1 and "apply" in sys.argv[1:]
            hint = ": the next apply repairs whatever this run left undone" if applying else ""
            _err(f"Interrupted{hint}.")
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
    _configure_logging(verbose)


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
    page_size: int,
    state_file: Path | None,
    tls: bool,
    tls_dir: Path | None,
) -> None:
    """Serve a local CircleCI API on 127.0.0.1 until stopped (first line: its URL; with
    --tls, the second: the CA certificate file a client must trust)."""
    from reconciler.emulator import EmulatorConfig, EmulatorServer, SeedError

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
        tls=tls,
        tls_dir=tls_dir,
    )
    try:
        server = EmulatorServer(config)
        url = server.start()
    except (SeedError, OSError) as exc:
        raise ReconcilerError(f"cannot start the emulator: {exc}") from None
    click.echo(url)
    if server.ca_file is not None:
        click.echo(server.ca_file)
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


# --- commands that talk to CircleCI ---------------------------------------------------------

FORMATS = ("text", "markdown", "json")


target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDRESS",
    help="Only this address, what is below it and what it requires (repeatable).",
)
ledger_option = click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fingerprint ledger of secrets written (keyed by CIRCLECI_RECONCILER_LEDGER_KEY).",
)
no_color_option = click.option("--no-color", is_flag=True, help="Plain text even on a terminal.")
rewrite_option = click.option(
    "--rewrite-secrets",
    is_flag=True,
    help="Also write every secret whose live value cannot be compared.",
)


def _check_host(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from urllib.parse import urlsplit

    # A bare name means https (as CircleCI server installs are often given); a path is
    # refused, since the API's own paths are added to the host.
    url = urlsplit(value if "://" in value else "https://" + value)
    if url.scheme not in ("http", "https") or not url.netloc or url.path.rstrip("/"):
        raise click.BadParameter(
            f"{value!r} is not a CircleCI host such as https://circleci.com "
            "(no path such as /api; from --host or CIRCLECI_HOST)"
        )
    return value.rstrip("/")


def api_options(fn: F) -> F:
    fn = click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=8,
        show_default=True,
        help="Parallel API calls.",
    )(fn)
    fn = click.option(
        "--host",
        envvar="CIRCLECI_HOST",
        default=None,
        callback=_check_host,
        help="CircleCI host (default https://circleci.com; env CIRCLECI_HOST).",
    )(fn)
    fn = click.option(
        "--ca-bundle",
        envvar="CIRCLECI_CA_BUNDLE",
        type=click.Path(exists=True, path_type=str),
        expose_value=False,  # read by _client_config, so each command's signature stays
        callback=lambda ctx, param, value: ctx.meta.__setitem__("ca_bundle", value),
        help="Trust these CA certificates (PEM file or directory; env CIRCLECI_CA_BUNDLE).",
    )(fn)
    return fn


def _client_config(host: str | None, concurrency: int) -> Any:
    from reconciler.client import ClientConfig

    ca_bundle = click.get_current_context().meta.get("ca_bundle")
    return ClientConfig.from_env(host=host, concurrency=concurrency, ca_bundle=ca_bundle)


def _session(
    paths: tuple[Path, ...], host: str | None, concurrency: int, ledger: Path | None
) -> tuple[Any, Any, Any, Any]:
    """Load and resolve the manifest (every secret, before any API call), open the API."""
    from reconciler.client import CircleCI
    from reconciler.ledger import Ledger
    from reconciler.manifest import SecretResolver, load_manifest

    manifest = load_manifest(list(paths))
    resolver = SecretResolver()
    resolver.resolve_all(manifest)
    # The manifest lives as long as the run: the cyclic collector need not rescan it each
    # time the plan allocates (a large organization's plan spent a tenth of its CPU there).
    gc.freeze()
    api = CircleCI(_client_config(host, concurrency))
    where = ledger or manifest.ledger_path
    return manifest, resolver, api, Ledger.open(where) if where else None


def _progress(label: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
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


def _color(no_color: bool) -> bool:
    return sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ


def _make_plan(
    manifest: Any,
    resolver: Any,
    api: Any,
    ledger: Any,
    targets: list[str],
    strict: bool = True,
    rewrite_secrets: bool = False,
) -> Any:
    from reconciler.engine import make_plan

    update, stop = _progress("Reading CircleCI")
    try:
        return make_plan(
            manifest,
            api,
            resolver=resolver,
            ledger=ledger,
            targets=targets,
            progress=update,
            strict=strict,
            rewrite_secrets=rewrite_secrets,
        )
    finally:
        stop()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
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

    manifest, resolver, api, book = _session(paths, host, concurrency, ledger)
    result = _make_plan(
        manifest, resolver, api, book, list(targets), rewrite_secrets=rewrite_secrets
    )
    click.echo(render(result.plan.to_dict(), fmt, color=_color(no_color)), nl=False)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        save_plan(out, result.plan, paths, manifest.files, list(targets), rewrite_secrets)
        _err(f"Saved the plan to {out} (it holds no secret values).")
    if detailed_exitcode and not result.plan.empty:
        sys.exit(EXIT_CHANGES)


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
    from reconciler.render.values import clean
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
    manifest, resolver, api, book = _session(paths, host, concurrency, ledger)
    result = _make_plan(
        manifest, resolver, api, book, list(targets), rewrite_secrets=rewrite_secrets
    )
    if saved is not None:
        verify_saved(saved, result.plan, manifest.files)
    click.echo(render(result.plan.to_dict(), "text", color=_color(no_color)), nl=False)
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
        click.confirm(f"Apply {len(result.plan.changes)} change(s)?", abort=True)

    symbols = {"done": "ok", "failed": "FAILED", "skipped": "skipped"}

    def report(outcome: Any) -> None:
        # Live names may hold terminal control characters: shown escaped, as in the plan.
        line = f"{symbols[outcome.status]:>7}  {outcome.action:<7} {clean(outcome.address)}"
        click.echo(line + (f"  ({clean(outcome.detail)})" if outcome.detail else ""))

    try:
        outcomes = apply_plan(result, api, resolver, ledger=book, on_outcome=report)
    finally:
        if book is not None:
            book.save()
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("done", "failed", "skipped")}
    click.echo(
        f"Apply finished: {counts['done']} done, {counts['failed']} failed, "
        f"{counts['skipped']} skipped."
    )
    if counts["failed"] or counts["skipped"]:
        sys.exit(EXIT_ERROR)


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
    from reconciler.drift import drift_report
    from reconciler.render.drift import render_drift

    manifest, resolver, api, book = _session(paths, host, concurrency, ledger)
    # A declared project that is gone is drift to report, not a reason to report nothing.
    result = _make_plan(manifest, resolver, api, book, [], strict=False)
    report = drift_report(result, book)
    text = render_drift(report, fmt, color=_color(no_color) and output is None)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        _err(f"Wrote the drift report to {output}.")
    else:
        click.echo(text, nl=False)
    if not report["in_sync"]:
        sys.exit(EXIT_CHANGES)


@main.command()
@click.option("--org", "org", required=True, help="Organization slug, e.g. gh/acme.")
@click.option("--project", "projects", multiple=True, help="Project slug to include.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@api_options
@handle_errors
def export(
    org: str, projects: tuple[str, ...], output: Path | None, host: str | None, concurrency: int
) -> None:
    """Write a manifest describing a live organization (secrets as {env: ...} placeholders)."""
    from reconciler.client import CircleCI
    from reconciler.export import export_manifest

    if not projects:
        _err("No --project given: only the organization's contexts are exported.")
    api = CircleCI(_client_config(host, concurrency))
    text = export_manifest(api, org, list(projects))
    if output:
        output.write_text(text, encoding="utf-8")
        _err(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
