"""Turn an HTTP answer into a value or a typed error, whatever its Content-Type claims.

The real API sends plain-text 429s, JSON labelled text/plain, empty bodies, HTML 404 pages
for malformed v1.1 paths, and GitHub errors nested as a JSON string inside `message`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import Any

from reconciler.client.scrub import Scrubber
from reconciler.errors import (
    ApiError,
    AuthError,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
)

log = logging.getLogger("reconciler.client")
MAX_MESSAGE = 300
# What reading an answer of the wrong shape raises (a field missing, of another type).
SHAPE_ERRORS = (KeyError, TypeError, AttributeError, ValueError, IndexError)
# Said instead of a server's text that echoed a value too short to star out.
WITHHELD = "(CircleCI's message is withheld: it quoted a value too short to mask)"
_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@contextlib.contextmanager
def unexpected_shape(outcome: str) -> Iterator[None]:
    """Turn a crash on an answer CircleCI's API does not promise (a field missing or of another
    type) into an ApiError that says what did not happen: `outcome`."""
    try:
        yield
    except SHAPE_ERRORS as exc:
        log.debug("unreadable answer", exc_info=True)
        raise ApiError(
            f"CircleCI sent an answer of an unexpected shape ({type(exc).__name__}); {outcome}"
        ) from None


def parse_body(content: bytes) -> Any:
    """JSON when the bytes are JSON, else the text; None for an empty body."""
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    if text[0] in '{["' or text in ("true", "false", "null") or text[0] in "-0123456789":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _cut(text: str) -> str:
    """Cut last, after scrubbing: a cut secret could no longer be recognised."""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _from_text(text: str) -> str:
    if text.lstrip()[:1] == "<":  # an HTML error page: its title is the useful part
        title = _TITLE.search(text)
        return _clean(title.group(1) if title else _TAG.sub(" ", text)) or "HTML error page"
    return _clean(text)


def message_of(body: Any) -> str:
    """The human-readable message of an error body, unwrapping nested JSON strings."""
    return _cut(_message(body))


def _message(body: Any, depth: int = 0) -> str:
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "title"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                nested = parse_body(value.encode()) if depth < 3 else value
                if isinstance(nested, (dict, list)):  # e.g. a GitHub error passed through
                    inner = _message(nested, depth + 1)
                    return f"{inner} (from the VCS provider)" if inner else _clean(value)
                return _from_text(value)
            if isinstance(value, dict):  # {"error": {"title": ..., "detail": ...}}
                inner = _message(value, depth + 1)
                if inner:
                    return inner
        return ""
    if isinstance(body, list):
        return "; ".join(filter(None, (_message(b, depth + 1) for b in body[:3])))
    if isinstance(body, str):
        return _from_text(body)
    return ""


def _scrub_body(body: Any, scrubber: Scrubber) -> Any:
    """Every string of a parsed body scrubbed before any folding or cutting; a string that
    must be withheld becomes WITHHELD."""
    if isinstance(body, str):
        cleaned = scrubber.clean(body)
        return WITHHELD if cleaned is None else cleaned
    if isinstance(body, list):
        return [_scrub_body(b, scrubber) for b in body]
    if isinstance(body, dict):
        return {k: _scrub_body(v, scrubber) for k, v in body.items()}
    return body


def error_for(
    status: int,
    body: Any,
    *,
    method: str,
    path: str,
    secrets: Iterable[str] = (),
    wide: frozenset[str] = frozenset(),
) -> ApiError:
    """The typed error for an HTTP error status. `secrets` are blanked out of the message:
    from the raw body first (a long or multi-line value would survive folding and cutting),
    then from the message in its folded form too, and the message is cut only after that.
    `wide`: forms of the run's other secrets (see Scrubber)."""
    scrubber = Scrubber(secrets, wide)
    cleaned = scrubber.clean(_message(_scrub_body(body, scrubber)))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    if cleaned is None or WITHHELD in cleaned:
        message = f"{phrase} {WITHHELD}"  # nothing of the server's text, not even around it
    else:
        message = _cut(cleaned) or phrase
    if status == 401:
        message += " (check the token in CIRCLECI_TOKEN or CIRCLE_TOKEN)"
    if status >= 500:
        return ServerError(message, status=status, method=method, path=path)
    cls = _BY_STATUS.get(status, ApiError)
    return cls(message, status=status, method=method, path=path)
