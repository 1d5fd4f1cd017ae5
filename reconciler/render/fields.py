"""What each report shows of a change, read from the plan's dict form only.

A field named in `sensitive_fields` is always shown as (sensitive), whatever value the dict
carries: the plan already masks secrets, and this keeps a slip upstream from reaching a report.
A value that is the mask itself is shown as the bare marker too, named sensitive or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.core import SENSITIVE
from reconciler.render.notes import not_compared
from reconciler.render.symbols import ACTIONS
from reconciler.render.values import clip, compact


def no_changes_line(plan: Mapping[str, Any]) -> str:
    """The empty plan's headline; it never claims a match for values nobody could compare."""
    unseen = not_compared(plan)
    if not unseen:
        return "No changes. CircleCI matches the manifest."
    values = "value" if unseen == 1 else "values"
    return (
        f"No changes. CircleCI shows nothing to change, but {unseen} secret {values} could not "
        "be compared (see the notes; --rewrite-secrets writes them anyway)."
    )


ABSENT = "(not set)"
# A delete is identified by its address; these scalars only help recognise the object.
IDENT_FIELDS = 3
IDENT_WIDTH = 60


@dataclass(frozen=True)
class Row:
    """One field of a change, formatted; None for a side that does not exist."""

    name: str
    before: str | None
    after: str | None
    sensitive: bool = False


def sensitive_fields(change: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(change.get("sensitive_fields") or ())


def show(side: Mapping[str, Any] | None, name: str, sensitive: bool) -> str | None:
    """Formatted value of one field on one side of a change."""
    if side is None:
        return None
    if name not in side:
        return ABSENT
    value = side[name]
    if value == SENSITIVE or (sensitive and value is not None):
        return SENSITIVE
    return compact(value)


def _ident_names(before: Mapping[str, Any], secret: frozenset[str]) -> list[str]:
    scalars = [
        k
        for k, v in before.items()
        if k not in secret and v != SENSITIVE and isinstance(v, str | int | float | bool)
    ]
    return sorted(scalars)[:IDENT_FIELDS]


def rows(change: Mapping[str, Any]) -> list[Row]:
    """Create: every `after` field. Update/replace: the changed fields. Delete: a few
    identifying scalars (secrets never among them)."""
    action = change.get("action")
    before: Mapping[str, Any] | None = change.get("before")
    after: Mapping[str, Any] | None = change.get("after")
    secret = sensitive_fields(change)
    if action == "create":
        names = list(after or {})
    elif action == "delete":
        names = _ident_names(before or {}, secret)
        return [Row(n, clip(show(before, n, False) or "", IDENT_WIDTH), None, False) for n in names]
    else:
        names = list(change.get("changed_fields") or ())
    out = []
    for n in names:
        s = n in secret
        b = None if action == "create" else show(before, n, s)
        a = show(after, n, s)
        out.append(Row(str(n), b, a, s or SENSITIVE in (b, a)))
    return out


def counts(plan: Mapping[str, Any]) -> dict[str, int]:
    """Changes per action, in display order; the dict's summary when present."""
    changes = plan.get("changes") or []
    summary = plan.get("summary") or {}
    return {
        a: int(summary.get(a, sum(1 for c in changes if c.get("action") == a))) for a in ACTIONS
    }
