"""Settings CircleCI may refuse to show an organization: a feature its plan lacks, or one
CircleCI server does not have. The organization-level kinds read them the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from reconciler.core import FetchContext
from reconciler.errors import ApiError, BadRequest, NotFound, PermissionDenied

T = TypeVar("T")
# What CircleCI answers for a feature the organization does not have (no recording says
# which; any of them means the setting cannot be read).
REFUSED = (BadRequest, PermissionDenied, NotFound)


def read_gated(
    ctx: FetchContext,
    kind: str,
    managed: bool,
    read: Callable[[], T],
    refused: Callable[[ApiError], Exception],
    why: Callable[[ApiError], str] = str,
) -> T | None:
    """`read()` when the manifest manages the setting or everything is read (export, live
    lint); None when it is not read. A refusal of a setting the manifest leaves alone is
    one note (`why`, recorded once for `kind`); of one it manages, the error `refused`."""
    if not (managed or ctx.read_all):
        return None  # a plan reads only what its manifest writes
    try:
        return read()
    except REFUSED as exc:
        if managed:
            raise refused(exc) from None
        ctx.unreadable.setdefault((None, kind), why(exc))
        return None
