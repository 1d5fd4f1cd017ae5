"""Terminal form of a plan, in the spirit of `terraform plan`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.render.fields import Row, counts, no_changes_line, rows
from reconciler.render.notes import note_groups, objects, refusals
from reconciler.render.symbols import ACTIONS, LEGEND, paint, symbol
from reconciler.render.values import clean

INDENT = "      "
# Past this width an update shows `-> after` on its own line, aligned under `before`.
WIDE = 100
FOLD_AT = 6  # identical notes about this many objects are shown as one line
# "<address>: <note>": the address ends at the first `]` that is not escaped.
_ADDRESSED = re.compile(r"^(\S.*?(?<!\\)\]): (.+)$", re.S)


def _field_lines(row: Row, width: int) -> list[str]:
    head = f"{INDENT}{(clean(row.name) + ':').ljust(width + 1)} "
    if row.before is None:
        return [head + (row.after or "")]
    if row.after is None:
        return [head + row.before]
    line = f"{head}{row.before} -> {row.after}"
    if len(line) <= WIDE:
        return [line]
    return [head + row.before, " " * (len(head) - 3) + "-> " + row.after]


def _change(change: Mapping[str, Any], color: bool) -> list[str]:
    action = str(change.get("action", ""))
    title = f"  {symbol(action):>3} {clean(change.get('address', ''))}"
    out = [paint(title, action, color)]
    reason = change.get("reason")
    if reason:
        out.append(paint(f"{INDENT}# {clean(reason)}", "dim", color))
    fields = rows(change)
    width = max((len(clean(r.name)) for r in fields), default=0)
    for row in fields:
        out.extend(_field_lines(row, width))
    return out


def summary_line(plan: Mapping[str, Any]) -> str:
    n = counts(plan)
    return "Plan: " + ", ".join(f"{n[a]} to {a}" for a in ACTIONS) + "."


def folded(text: str, addresses: list[str]) -> str:
    """One line for a note about many objects: its words, the count, the first few."""
    shown = ", ".join(addresses[:3])
    more = f" and {len(addresses) - 3} more; --format json" if len(addresses) > 3 else ""
    return f"{text}: {objects(len(addresses))} ({shown}{more})"


def fold_notes(notes: list[Any]) -> list[str]:
    """Notes saying the same thing about FOLD_AT or more objects become one line naming a few
    of them: a large organization would otherwise print one identical line per env var."""
    by_text: dict[str, list[str]] = {}
    for note in notes:
        match = _ADDRESSED.match(str(note))
        key = match.group(2) if match else str(note)
        by_text.setdefault(key, []).append(match.group(1) if match else "")
    out: list[str] = []
    for text, addresses in by_text.items():
        if len(addresses) < FOLD_AT or not all(addresses):
            out.extend(f"{a}: {text}" if a else text for a in addresses)
            continue
        out.append(folded(text, addresses))
    return out


def note_lines(report: Mapping[str, Any]) -> list[str]:
    """Plan-wide notes, then one line per typed cause of the notes about single objects
    (grouped from the second object on: they repeat per secret)."""
    out = fold_notes(list(report.get("notes") or []))
    for group in note_groups(report):
        if len(group.addresses) == 1:
            out.append(f"{group.addresses[0]}: {group.text}")
        else:
            out.append(folded(group.text, group.addresses))
    return out


def notes_section(report: Mapping[str, Any], color: bool) -> list[str]:
    lines = note_lines(report)
    if not lines:
        return []
    return [paint("Notes:", "warn", color), *(f"  - {clean(n)}" for n in lines), ""]


def refusal_lines(plan: Mapping[str, Any], color: bool) -> list[str]:
    """Apply's guard rails this plan runs into: the first thing a reviewer must see."""
    problems = refusals(plan)
    if not problems:
        return []
    head = paint("Apply will refuse this plan unless told:", "warn", color)
    return [head, *(f"  ! {clean(p)}" for p in problems), ""]


def render_text(plan: Mapping[str, Any], color: bool = False) -> str:
    """Header, legend, each change in apply order with its fields, notes, summary line."""
    out = [paint(f"CircleCI plan for {clean(plan.get('organization', '?'))}", "bold", color)]
    if plan.get("checksum"):
        out.append(f"State checksum: {clean(plan['checksum'])}")
    out.append("")
    out += refusal_lines(plan, color)
    changes = list(plan.get("changes") or [])
    if changes:
        used = [a for a in ACTIONS if any(c.get("action") == a for c in changes)]
        out.append("Actions are shown with these symbols:")
        out.extend(f"  {paint(f'{symbol(a):>3}', a, color)} {LEGEND[a]}" for a in used)
        out += ["", "Changes, in the order they will be applied:", ""]
        for c in changes:
            out += [*_change(c, color), ""]
    out += notes_section(plan, color)
    if changes:
        out.append(paint(summary_line(plan), "bold", color))
    else:
        out.append(paint(no_changes_line(plan), "ok", color))
    return "\n".join(out) + "\n"
