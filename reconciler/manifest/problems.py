"""pydantic's validation errors, turned into plain-words problems at exact positions."""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from reconciler.errors import Problem
from reconciler.manifest.positions import PositionTable, quote
from reconciler.manifest.yamlread import INVALID

_PREFIX = "Value error, "
_MAPPING = {"model_type", "model_attributes_type", "dict_type", "mapping_type"}
_TYPE_WORDS = {
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "list_type": "a list",
}


def describe(value: Any) -> str:
    """What a value is, never what it says (it may be a secret)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp


def allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at `loc` may hold, found by walking the models' field types."""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return []
            tp = field.annotation
        elif get_origin(tp) in (dict, list):
            tp = get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def did_you_mean(word: str, options: list[str]) -> str:
    folded = {o.lower().replace("-", "_"): o for o in options}
    match = folded.get(word.lower().replace("-", "_"))
    if match is None:
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean '{match}'?)" if match else ""


def _label(loc: tuple[Any, ...]) -> str:
    if not loc:
        return "the manifest"
    if isinstance(loc[-1], int):
        names = [p for p in loc if isinstance(p, str)]
        return f"an item of {quote(names[-1])}" if names else "an item"
    return quote(loc[-1])


def _message(err: Any, loc: tuple[Any, ...], root: type[BaseModel]) -> str:
    kind, value, label = err["type"], err.get("input"), _label(loc)
    if not loc:
        return f"the manifest: {err['msg']}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        return f"unknown key {quote(loc[-1])}" + did_you_mean(
            str(loc[-1]), allowed_keys(root, loc[:-1])
        )
    if kind == "value_error":
        msg = str(err["msg"])
        msg = msg[len(_PREFIX) :] if msg.startswith(_PREFIX) else msg
        return f"{label} {msg}" if msg.startswith("must ") else msg
    if kind == "at_key":
        return str(err["msg"])
    if kind in _MAPPING:
        hint = " (write {} for an empty one)" if value is None else ""
        return f"{label} must be a mapping (key: value), not {describe(value)}{hint}"
    if kind in _TYPE_WORDS:
        hint = (
            " (put it in quotes)"
            if kind == "string_type" and isinstance(value, int | float)
            else ""
        )
        return f"{label} must be {_TYPE_WORDS[kind]}, not {describe(value)}{hint}"
    if kind in ("enum", "literal_error"):
        options = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        shown = ", ".join(options)
        if isinstance(value, str):
            # The key first: a reader sees which setting refused the value.
            key = f"{loc[-1]}: " if isinstance(loc[-1], str) else f"{label}: "
            return f"{key}{quote(value)} is not one of: {shown}" + did_you_mean(value, options)
        return f"{label} must be one of: {shown}; not {describe(value)}"
    return f"{label}: {err['msg']}"


def translate(
    exc: ValidationError, positions: PositionTable, root: type[BaseModel], limit: int = 500
) -> tuple[list[Problem], int]:
    """Problems for the first `limit` errors, and how many more there were."""
    problems: list[Problem] = []
    errors = [e for e in exc.errors(include_url=False) if e.get("input") is not INVALID]
    for err in errors[:limit]:  # INVALID: already reported where it was read
        loc = tuple(err["loc"])
        # pydantic marks a mapping key's own error with a trailing "[key]" (unless a user's key
        # really is "[key]": then that path was written)
        on_key = bool(loc) and loc[-1] == "[key]" and not positions.has(loc)
        if on_key:
            loc = loc[:-1]
        kind = err["type"]
        if kind == "missing":
            pos = positions.key(loc[:-1]) if len(loc) > 1 else positions.value(())
        elif on_key or kind in ("extra_forbidden", "at_key"):
            pos = positions.key(loc)
        else:
            pos = positions.value(loc)
        problems.append(pos.problem(_message(err, loc, root)))
    return problems, max(0, len(errors) - limit)
