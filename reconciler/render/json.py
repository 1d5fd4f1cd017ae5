"""Machine form of a plan: the dict form, with a fixed key order and secrets masked again."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reconciler.render.fields import sensitive_fields
from reconciler.render.symbols import ACTIONS
from reconciler.render.values import escape_controls
from reconciler.resources.base import SENSITIVE

# Known keys come first in reading order; anything else follows alphabetically, so the
# output is the same bytes for the same plan whatever order the dict was built in.
TOP_KEYS = ("format_version", "organization", "checksum", "summary", "changes", "notes")
CHANGE_KEYS = (
    "address",
    "kind",
    "action",
    "reason",
    "before",
    "after",
    "changed_fields",
    "sensitive_fields",
    "requires",
    "wave",
)


def _ordered(d: Mapping[str, Any], first: tuple[str, ...]) -> dict[str, Any]:
    keys = [k for k in first if k in d] + sorted(k for k in d if k not in first)
    return {k: d[k] for k in keys}


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _sorted(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_sorted(v) for v in value]
    return value


def _masked(side: Mapping[str, Any] | None, secret: frozenset[str]) -> dict[str, Any] | None:
    if side is None:
        return None
    return {k: SENSITIVE if k in secret and v is not None else _sorted(v) for k, v in side.items()}


def _change(change: Mapping[str, Any]) -> dict[str, Any]:
    secret = sensitive_fields(change)
    c = {k: _sorted(v) for k, v in change.items()}
    for side in ("before", "after"):
        if side in change:
            c[side] = _masked(change[side], secret)
            if c[side] is not None:
                c[side] = dict(sorted(c[side].items()))
    return _ordered(c, CHANGE_KEYS)


def to_document(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The plan dict in its published key order, with sensitive fields masked."""
    doc = {k: _sorted(v) for k, v in plan.items()}
    if "summary" in plan:
        doc["summary"] = _ordered(plan["summary"], ACTIONS)
    if "changes" in plan:
        doc["changes"] = [_change(c) for c in plan["changes"]]
    return _ordered(doc, TOP_KEYS)


def render_json(plan: Mapping[str, Any]) -> str:
    """Indented JSON with a trailing newline. Non-ASCII text stays readable; characters a
    terminal would act on are escaped (they can only occur inside strings)."""
    text = json.dumps(to_document(plan), indent=2, ensure_ascii=False)
    return "\n".join(escape_controls(line) for line in text.split("\n")) + "\n"
