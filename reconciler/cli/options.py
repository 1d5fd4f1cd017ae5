"""Options the commands that talk to CircleCI share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.errors import ReconcilerError

F = TypeVar("F", bound=Callable[..., Any])

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


def _allow_http(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta["allow_http"] = value


def _ca_bundle(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.meta["ca_bundle"] = value


def _host(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A host without a scheme is refused: `localhost:8080` would silently mean https to a
    local http emulator, and a reader of the CI config cannot tell which one is meant."""
    if value is None or "://" in value:
        return value
    from reconciler.client.config import check_host, is_loopback

    # Checked as https first, so a user name, password or path is refused without being
    # repeated; what is left to suggest is only a host name and port.
    try:
        https = check_host("https://" + value.strip())
    except ReconcilerError as exc:
        raise click.BadParameter(str(exc), param_hint="--host / CIRCLECI_HOST") from None
    name = https[len("https://") :]
    hint = f"http://{name}" if is_loopback(name.rsplit(":", 1)[0].strip("[]")) else https
    raise click.BadParameter(
        f"the host needs its scheme: write {hint}. The token goes only over https, or plain "
        "http to a loopback address (--allow-http for any other)",
        param_hint="--host / CIRCLECI_HOST",
    )


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
        callback=_host,
        help="CircleCI host (default https://circleci.com; env CIRCLECI_HOST).",
    )(fn)
    fn = click.option(
        "--allow-http",
        is_flag=True,
        envvar="CIRCLECI_ALLOW_HTTP",
        expose_value=False,
        callback=_allow_http,
        help="Allow plain http to a host that is not loopback (the token travels in clear).",
    )(fn)
    fn = click.option(
        "--ca-bundle",
        envvar="CIRCLECI_CA_BUNDLE",
        type=click.Path(exists=True, path_type=str),
        expose_value=False,
        callback=_ca_bundle,
        help="Trust these CA certificates (PEM file or directory; env CIRCLECI_CA_BUNDLE).",
    )(fn)
    return fn
