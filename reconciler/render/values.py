"""Value formatting shared by every report: compact, readable, and safe to print.

Values come from manifests and from CircleCI, so any of them may hold control characters,
terminal escape sequences or bidirectional overrides. Everything shown goes through
`clean` or `compact`, which turn such characters into visible `\\uXXXX` escapes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

# Bidi embeddings, overrides and isolates can make text display differently from what it is.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


# Control (Cc), surrogate (Cs), line and paragraph separator (Zl, Zp) and bidi characters,
# as one character class: a plan prints thousands of lines, and one regex search per line
# costs far less than a Unicode category lookup per character.
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)


def _unsafe(ch: str) -> bool:
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def escape_controls(s: str) -> str:
    """Replace control, line-separator, bidi and lone surrogate characters with `\\uXXXX`."""
    if _UNSAFE.search(s) is None:
        return s
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def clean(value: object) -> str:
    """Free text (addresses, reasons, notes) on one line, with nothing the terminal acts on."""
    return escape_controls(str(value))


def _string(s: str) -> str:
    return escape_controls(json.dumps(s, ensure_ascii=False))


def _key(k: object) -> str:
    s = str(k)
    return s if _BARE_KEY.match(s) else _string(s)


def _sort_key(v: Any) -> tuple[str, str]:
    return (type(v).__name__, compact(v))


def compact(value: Any) -> str:
    """One-line form of a JSON-plain value: strings quoted, lists `[a, b]`, maps `{k: v}`.

    Sets are shown as sorted lists and map keys sorted, so equal values always look equal.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, set | frozenset):
        value = sorted(value, key=_sort_key)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(compact(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        return "{" + ", ".join(f"{_key(k)}: {compact(v)}" for k, v in items) + "}"
    return _string(str(value))


def clip(s: str, limit: int | None) -> str:
    """Shorten `s` to about `limit` characters, saying how much was left out."""
    if limit is None or len(s) <= limit:
        return s
    return f"{s[:limit]}… ({len(s) - limit} more characters)"
