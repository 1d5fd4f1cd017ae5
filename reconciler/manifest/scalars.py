"""Scalar typing by the YAML 1.2 core schema, done here rather than by a YAML constructor so
that no tag can ever run code and both parser backends type values the same way."""

from __future__ import annotations

import re
from typing import Any

TAG_PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null"))
MAP, SEQ, MERGE = TAG_PREFIX + "map", TAG_PREFIX + "seq", TAG_PREFIX + "merge"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")

# Plain scalars that YAML 1.1 readers (and many editors and tools) turn into booleans, numbers
# or dates although YAML 1.2 keeps them as text: `on`, `yes`, `1_000`, `0b11`, `1:30`, `2024-01-02`.
_YAML11_LOOKALIKE = re.compile(
    r"""(?x)(
      y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF
    | [-+]?0b[01_]+
    | [-+]?0x[0-9a-fA-F_]+
    | [-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?
    | [-+]?\.[0-9_]+([eE][-+]?[0-9]+)?
    | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?
    )\Z"""
)


class LooksTyped(str):
    """Text that was written unquoted but that YAML 1.1 readers would read as a boolean,
    number or date. Where a value is sensitive to that (env var values, schedule parameters)
    the models ask for quotes."""

    __slots__ = ()


class BadScalar(ValueError):
    """A scalar that cannot be typed (an impossible tagged value, an absurdly long number)."""


def resolve_plain(text: str) -> Any:
    """Type an untagged plain scalar by the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    first = text[0]
    if first in "tTfF" and text in _BOOLS:
        return _BOOLS[text]
    if first in "0123456789+-.":
        try:
            if _INT.match(text):
                return int(text)
            if _OCT.match(text):
                return int(text[2:], 8)
            if _HEX.match(text):
                return int(text[2:], 16)
        except ValueError:  # more digits than Python converts by default
            raise BadScalar("this number is far too long") from None
        if _FLOAT.match(text):
            return float(text)
        if _INF.match(text):
            return float("-inf") if text[0] == "-" else float("inf")
        if _NAN.match(text):
            return float("nan")
    if _YAML11_LOOKALIKE.match(text):
        return LooksTyped(text)
    return text


def resolve_tagged(text: str, tag: str) -> Any:
    """Type a scalar with an explicit core tag (`!!str 10`, `!!int "3"`)."""
    if tag == STR:
        return text
    value = resolve_plain(text)
    if isinstance(value, LooksTyped):
        value = str(value)
    ok = {
        INT: isinstance(value, int) and not isinstance(value, bool),
        FLOAT: isinstance(value, float | int) and not isinstance(value, bool),
        BOOL: isinstance(value, bool),
        NULL: value is None,
    }.get(tag)
    if not ok:
        raise BadScalar(f"this value does not fit its tag !!{tag[len(TAG_PREFIX) :]}")
    return float(value) if tag == FLOAT else value
