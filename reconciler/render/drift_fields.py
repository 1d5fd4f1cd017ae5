"""What every drift report shows, read from the drift dict only (reconciler/drift.py).

A field of a kind's write-only set, or one already marked (sensitive) on either side, is
shown as (sensitive) on both sides whatever the dict carries, so a slip upstream can never
put a secret into a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.core import SENSITIVE
from reconciler.render.values import compact

STATUSES = ("ok", "changed", "missing", "extra", "unmanaged", "tampered")
DRIFT = STATUSES[1:]
# Objects the manifest declares; the others (extra, unmanaged) exist only in CircleCI.
MANAGED = ("ok", "changed", "missing", "tampered")

SYMBOLS = {
    "ok": "=",
    "changed": "~",
    "missing": "+",
    "extra": "-",
    "unmanaged": "?",
    "tampered": "!",
}
LEGEND = {
    "ok": "matches the manifest",
    "changed": "differs from the manifest",
    "missing": "declared in the manifest, absent in CircleCI",
    "extra": "in CircleCI, not in the manifest's list (apply would delete it)",
    "unmanaged": "in CircleCI, outside what the manifest manages",
    "tampered": "secret rewritten outside the reconciler since the last apply",
}
# ANSI codes, the basic 8 colours: what apply would do (create green, delete red) and
# the attention the rest needs.
COLOURS = {
    "ok": "32",
    "changed": "33",
    "missing": "32",
    "extra": "31",
    "unmanaged": "36",
    "tampered": "35",
}
ABSENT = "(not set)"


@dataclass(frozen=True)
class FieldRow:
    """One differing field, both sides formatted for display."""

    name: str
    manifest: str
    live: str
    sensitive: bool


def symbol(status: str) -> str:
    return SYMBOLS.get(status, "?")


def _show(value: Any, sensitive: bool) -> str:
    if value is None:
        return ABSENT
    if sensitive or value == SENSITIVE:
        return SENSITIVE
    return compact(value)


def field_rows(obj: Mapping[str, Any]) -> list[FieldRow]:
    out = []
    for f in obj.get("fields") or []:
        name = str(f.get("field", ""))
        m, lv = f.get("manifest"), f.get("live")
        sensitive = SENSITIVE in (m, lv)
        # A value written in the manifest itself is shown; its live side never is.
        shown = _show(m, sensitive and not f.get("literal"))
        out.append(FieldRow(name, shown, _show(lv, sensitive), sensitive))
    return out


def objects(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(report.get("objects") or [])


def drifted(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Objects whose status is not ok, in the report's (address) order."""
    return [o for o in objects(report) if o.get("status") != "ok"]


def counts(report: Mapping[str, Any]) -> dict[str, int]:
    """Objects per status, in display order; the report's summary when present."""
    summary = report.get("summary") or {}
    items = objects(report)
    return {s: int(summary.get(s, sum(1 for o in items if o.get("status") == s))) for s in STATUSES}


def in_sync(report: Mapping[str, Any]) -> bool:
    """The report's verdict; unmanaged objects are listed but outside what the manifest claims."""
    if "in_sync" in report:
        return bool(report["in_sync"])
    return not any(counts(report)[s] for s in DRIFT if s != "unmanaged")


def unmanaged_note(report: Mapping[str, Any]) -> str:
    """For a report in sync that still lists unmanaged objects."""
    n = counts(report)["unmanaged"]
    if not n:
        return ""
    return f" {n} unmanaged object{' is' if n == 1 else 's are'} listed above."


def summary_line(report: Mapping[str, Any]) -> str:
    n = counts(report)
    parts = ", ".join(f"{n[s]} {s}" for s in DRIFT)
    return f"Drift: {parts}; {n['ok']} in sync."
