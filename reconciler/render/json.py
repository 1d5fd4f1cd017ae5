"""Machine form of a plan: the dict form, with a fixed key order and secrets masked again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.core import SENSITIVE
from reconciler.render.fields import sensitive_fields
from reconciler.render.jsonutil import deep_sorted, dump, ordered
from reconciler.render.symbols import ACTIONS

# Known keys come first in reading order; anything else follows alphabetically, so the
# output is the same bytes for the same plan whatever order the dict was built in.
TOP_KEYS = (
    "format_version",
    "organization",
    "checksum",
    "refusals",
    "summary",
    "changes",
    "notes",
    "object_notes",
)
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


def _masked(side: Mapping[str, Any] | None, secret: frozenset[str]) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        k: SENSITIVE if k in secret and v is not None else deep_sorted(v) for k, v in side.items()
    }


def _change(change: Mapping[str, Any]) -> dict[str, Any]:
    secret = sensitive_fields(change)
    c = {k: deep_sorted(v) for k, v in change.items()}
    for side in ("before", "after"):
        if side in change:
            c[side] = _masked(change[side], secret)
            if c[side] is not None:
                c[side] = dict(sorted(c[side].items()))
    return ordered(c, CHANGE_KEYS)


def to_document(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The plan dict in its published key order, with sensitive fields masked."""
    doc = {k: deep_sorted(v) for k, v in plan.items()}
    if "summary" in plan:
        doc["summary"] = ordered(plan["summary"], ACTIONS)
    if "changes" in plan:
        doc["changes"] = [_change(c) for c in plan["changes"]]
    return ordered(doc, TOP_KEYS)


def render_json(plan: Mapping[str, Any]) -> str:
    """Indented JSON with a trailing newline. Non-ASCII text stays readable; characters a
    terminal would act on are escaped (they can only occur inside strings)."""
    return dump(to_document(plan))
