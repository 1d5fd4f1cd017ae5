"""Pull-request comment form of a plan: GitHub-flavoured Markdown, within GitHub's size limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.render.fields import Row, counts, no_changes_line, rows
from reconciler.render.mdutil import (
    CELL_LIMIT,
    COMMENT_LIMIT,
    NOTE_LIMIT,
    RESERVE,
    code,
    details,
    escape,
    fit,
    line,
    marker,
    omitted,
    size,
    table,
)
from reconciler.render.notes import markdown_notes, refusals
from reconciler.render.symbols import ACTIONS, symbol
from reconciler.render.values import clip

EMPTY = "—"


def _cell(value: str | None) -> str:
    return EMPTY if value is None else code(clip(value, CELL_LIMIT))


def _field_table(fields: list[Row]) -> list[str]:
    body = [[code(r.name), _cell(r.before), _cell(r.after)] for r in fields]
    return table(["Field", "Before", "After"], body)


def _change(change: Mapping[str, Any]) -> str:
    action = str(change.get("action", ""))
    head = f"{code(symbol(action))} {code(change.get('address', ''))} ({escape(action)})"
    body = [line(change.get("reason") or "")]
    fields = rows(change)
    if fields:
        body += ["", *_field_table(fields)]
    return details(head, body)


def _summary(plan: Mapping[str, Any]) -> list[str]:
    n = counts(plan)
    body = [[f"{code(symbol(a))} {a}", str(n[a])] for a in ACTIONS]
    return table(["Action", "Count"], body, align="lr")


def _omitted(left: int, total: int, what: str) -> str:
    return omitted(left, total, what, "plan", "plan --format text")


def render_markdown(plan: Mapping[str, Any], limit: int = COMMENT_LIMIT) -> str:
    """Marker line, title, counts, one collapsed section per change, notes.

    Sections that would take the comment past `limit` bytes are left out, the changes first
    in apply order, and the comment says how many are missing.
    """
    org = str(plan.get("organization", "?"))
    head = [marker("plan", organization=org), f"## CircleCI plan for {code(clip(org, 200))}", ""]
    problems = refusals(plan)
    if problems:  # before anything else: the reviewer must see what apply will ask for
        head += ["**⛔ Apply will refuse this plan unless told:**", ""]
        head += [f"- {line(clip(p, NOTE_LIMIT))}" for p in problems] + [""]
    changes = list(plan.get("changes") or [])
    if changes:
        head += [*_summary(plan), ""]
    else:
        head += [f"✅ {no_changes_line(plan)}", ""]
    if plan.get("checksum"):
        head += [f"State checksum: {code(clip(str(plan['checksum']), 200))}", ""]

    blocks = [_change(c) for c in changes]
    notes = markdown_notes(plan)
    budget = limit - size("\n".join(head)) - RESERVE - (size("### Notes") if notes else 0)
    note_room = min(sum(size(n) + 1 for n in notes), budget // 4)
    shown = fit(blocks, budget - note_room)
    budget -= sum(size(b) + 2 for b in blocks[:shown])
    shown_notes = fit(notes, budget) if notes else 0

    out = head
    if blocks:
        out += ["### Changes, in the order they will be applied", ""]
        out += [line for b in blocks[:shown] for line in (b, "")]
        if shown < len(blocks):
            out += [_omitted(len(blocks) - shown, len(blocks), "changes are"), ""]
    if notes:
        out += ["### Notes", "", *notes[:shown_notes], ""]
        if shown_notes < len(notes):
            out += [_omitted(len(notes) - shown_notes, len(notes), "notes are"), ""]
    return "\n".join(out).rstrip("\n") + "\n"
