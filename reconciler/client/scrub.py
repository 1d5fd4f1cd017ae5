"""Blank secrets out of text a server sent back, in every form a server may echo them.

An API that refuses a value may quote it raw, JSON-escaped (a PEM key's newlines become
`\\n`), HTML-escaped, URL-encoded or base64-encoded, whole or one line at a time. Each form is
replaced by `***`, longest first. A value of 1 to 3 characters cannot be starred out without
starring every such run of letters and so revealing it: when one occurs, the text is withheld.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
SHORT = 4  # values shorter than this are withheld, not starred
_WORDLIKE = re.compile(r"\w")
# A secret the client never held, in a URL the server made (a webhook trigger's
# `?secret=`): its value is blanked wherever an answer quotes such a URL, in any escaping.
_URL_SECRET = re.compile(
    r"(?i)(?:(?<![a-z0-9])|(?<=%3f)|(?<=%26)|(?<=%253f)|(?<=%2526))"  # also URL-encoded
    r"((?:secret|token|signature|sig)(?:=|%3D|%253D|\\u003d|&#61;|&#x3d;))"
    r"[^&\s\"'<>\\#;,)\]}]+"
)


def _encodings(value: str) -> set[str]:
    raw = value.encode("utf-8")
    b64 = base64.b64encode(raw).decode()
    url64 = base64.urlsafe_b64encode(raw).decode()
    forms = {
        value,
        " ".join(value.split()),  # whitespace folded, as messages are
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        json.dumps(json.dumps(value))[3:-3],  # escaped twice: a JSON message in a JSON string
        html.escape(value),
        html.escape(value, quote=False),
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        b64,
        url64,
        b64.rstrip("="),
        url64.rstrip("="),
    }
    return {f for f in forms if f}


def _parts(secret: str) -> list[str]:
    """The secret and each of its lines; a line of only braces or commas (a JSON key's `{`)
    is layout, not the secret."""
    lines = [line.strip() for line in secret.splitlines()]
    return [secret] + [p for p in lines if p and p != secret and _WORDLIKE.search(p)]


def long_forms(secrets: Iterable[str]) -> frozenset[str]:
    """Every form of SHORT characters or more of these secrets, worked out once: the run's
    secrets beyond a request's own (see Scrubber), whose short forms are left out as they
    would withhold most answers."""
    return frozenset(
        form
        for secret in secrets
        if secret
        for part in _parts(secret)
        if len(part) >= SHORT
        for form in _encodings(part)
    )


class Scrubber:
    """Built once per request from its secrets; `clean(text)` is the text safe to show, or
    None when it must be withheld. `wide`: forms (long_forms) of the run's other secrets,
    which an answer may quote though the request did not send them (a file uploaded whole)."""

    def __init__(self, secrets: Iterable[str], wide: frozenset[str] = frozenset()) -> None:
        long: set[str] = set(wide)
        short: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            for part in _parts(secret):
                (short if len(part) < SHORT else long).update(_encodings(part))
        self._long = sorted(long, key=len, reverse=True)
        self._short = sorted(short - long)

    def clean(self, text: str) -> str | None:
        text = _URL_SECRET.sub(lambda m: m.group(1) + MASK, text)
        for form in self._long:
            if form in text:
                text = text.replace(form, MASK)
        if any(form in text for form in self._short):
            return None
        return text
