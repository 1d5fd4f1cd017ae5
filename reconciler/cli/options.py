"""Options the commands that talk to CircleCI share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

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
    return fn
