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


class Scrubber:
    """Built once per request from its secrets; `clean(text)` is the text safe to show, or
    None when it must be withheld. `wide`: the run's other secrets, which an answer may quote
    though the request did not send them (a file uploaded whole); only their forms of
    SHORT characters or more are starred, as a short one would withhold most answers."""

    def __init__(self, secrets: Iterable[str], wide: Iterable[str] = ()) -> None:
        long: set[str] = set()
        short: set[str] = set()
        for secret, own in [(s, True) for s in secrets] + [(s, False) for s in wide]:
            if not secret:
                continue
            parts = [secret] + [line.strip() for line in secret.splitlines()]
            for part in parts:
                # A line of only braces or commas (a JSON key's `{`) is layout, not the secret.
                if not part or (part != secret and not _WORDLIKE.search(part)):
                    continue
                if len(part) >= SHORT:
                    long.update(_encodings(part))
                elif own:
                    short.update(_encodings(part))
        self._long = sorted(long, key=len, reverse=True)
        self._short = sorted(short - long)

    def clean(self, text: str) -> str | None:
        for form in self._long:
            if form in text:
                text = text.replace(form, MASK)
        if any(form in text for form in self._short):
            return None
        return text
