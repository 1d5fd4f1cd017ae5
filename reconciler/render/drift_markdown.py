"""Drift as GitHub-flavoured Markdown (an issue, a PR comment or a job artifact).

Values go through the plan report's escaping (mdutil), so nothing in an address, a detail
or a value can open a tag, split a table cell or mention anyone. Sections that would take
the text past GitHub's comment size limit are left out, and the text says how many.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.render.drift_fields import (
    DRIFT,
    STATUSES,
    counts,
    drifted,
    field_rows,
    in_sync,
    symbol,
    unmanaged_note,
)
from reconciler.render.mdutil import (
    CELL_LIMIT,
    COMMENT_LIMIT,
    RESERVE,
    code,
    details,
    escape,
    fit,
    marker,
    omitted,
    size,
    table,
)
from reconciler.render.notes import markdown_notes
from reconciler.render.values import clip


def _summary(report: Mapping[str, Any]) -> list[str]:
    n = counts(report)
    body = [[f"{code(symbol(s))} {s}", str(n[s])] for s in STATUSES]
    return table(["Status", "Count"], body, align="lr")


def _row(obj: Mapping[str, Any]) -> str:
    status = str(obj.get("status", ""))
    cells = [
        code(clip(str(obj.get("address", "")), CELL_LIMIT)),
        f"{code(symbol(status))} {escape(status)}",
        escape(clip(str(obj.get("detail") or ""), CELL_LIMIT)),
    ]
    return "| " + " | ".join(cells) + " |"


def _fields(obj: Mapping[str, Any]) -> str:
    body = [
        [code(r.name), code(clip(r.manifest, CELL_LIMIT)), code(clip(r.live, CELL_LIMIT))]
        for r in field_rows(obj)
    ]
    head = f"{code(obj.get('address', ''))} ({escape(obj.get('status', ''))})"
    return details(head, table(["Field", "Manifest", "Live"], body))


def _omitted(left: int, total: int, what: str) -> str:
    return omitted(left, total, what, "report", "drift --format text")


def render_drift_markdown(report: Mapping[str, Any], limit: int = COMMENT_LIMIT) -> str:
    """Marker line, title, verdict, counts per status, a table of drifted objects, the
    differing fields of changed objects in collapsed sections, notes."""
    org = str(report.get("organization", "?"))
    out = [marker("drift", organization=org), f"## CircleCI drift for {code(clip(org, 200))}", ""]
    items = drifted(report)
    if in_sync(report):
        out += ["✅ No drift: CircleCI matches the manifest." + unmanaged_note(report), ""]
    else:
        n = counts(report)
        total = sum(n[s] for s in DRIFT if s != "unmanaged")
        verb = "object differs" if total == 1 else "objects differ"
        out += [f"⚠️ Drift found: {total} {verb} from the manifest.", ""]
    out += [*_summary(report), ""]
    if report.get("checksum"):
        out += [f"State checksum: {code(clip(str(report['checksum']), 200))}", ""]

    rows = [_row(o) for o in items]
    blocks = [_fields(o) for o in items if o.get("fields")]
    notes = markdown_notes(report)
    budget = limit - size("\n".join(out)) - RESERVE
    shown_rows = fit(rows, budget // 2) if rows else 0
    budget -= sum(size(r) + 2 for r in rows[:shown_rows])
    shown_blocks = fit(blocks, budget * 3 // 4) if blocks else 0
    budget -= sum(size(b) + 2 for b in blocks[:shown_blocks])
    shown_notes = fit(notes, budget) if notes else 0

    if rows:
        out += ["### Objects that differ", ""]
        out += table(["Address", "Status", "Detail"], [])
        out += [*rows[:shown_rows], ""]
        if shown_rows < len(rows):
            out += [_omitted(len(rows) - shown_rows, len(rows), "objects are"), ""]
    if blocks:
        out += ["### Fields that differ", ""]
        out += [b for block in blocks[:shown_blocks] for b in (block, "")]
        if shown_blocks < len(blocks):
            out += [_omitted(len(blocks) - shown_blocks, len(blocks), "field lists are"), ""]
    if notes:
        out += ["### Notes", "", *notes[:shown_notes], ""]
        if shown_notes < len(notes):
            out += [_omitted(len(notes) - shown_notes, len(notes), "notes are"), ""]
    return "\n".join(out).rstrip("\n") + "\n"
