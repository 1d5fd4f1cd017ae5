"""Notes about single objects, grouped: the same remark (same typed cause, same words) about
many objects is one entry with a count, however large the organization."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.core import Reason
from reconciler.render.mdutil import NOTE_LIMIT, code, details, escape, line
from reconciler.render.values import clip


@dataclass(frozen=True)
class NoteGroup:
    text: str
    addresses: list[str]


def note_groups(report: Mapping[str, Any]) -> list[NoteGroup]:
    """One group per (cause, words), in the order of first appearance."""
    by_cause: dict[tuple[str, str], list[str]] = {}
    for n in report.get("object_notes") or []:
        key = (str(n.get("cause", "")), str(n.get("note", "")))
        by_cause.setdefault(key, []).append(str(n.get("address", "")))
    return [NoteGroup(text, addresses) for (_, text), addresses in by_cause.items()]


def not_compared(report: Mapping[str, Any]) -> int:
    """How many values no honest signal could compare."""
    cause = Reason.NOT_COMPARED.value
    return sum(1 for n in report.get("object_notes") or [] if n.get("cause") == cause)


def objects(n: int) -> str:
    return f"{n} object{'s' if n != 1 else ''}"


def refusals(report: Mapping[str, Any]) -> list[str]:
    return [str(r) for r in report.get("refusals") or []]


def markdown_notes(report: Mapping[str, Any]) -> list[str]:
    """List items for plan-wide notes and single-object notes; a note about several objects
    is a collapsed section headed by its words and count, the addresses inside."""
    out = [f"- {line(clip(str(n), NOTE_LIMIT))}" for n in report.get("notes") or []]
    for group in note_groups(report):
        text = clip(group.text, NOTE_LIMIT)
        if len(group.addresses) == 1:
            out.append(f"- {code(group.addresses[0])}: {escape(text)}")
            continue
        head = f"{escape(text)}: {objects(len(group.addresses))}"
        body = [f"- {code(clip(a, NOTE_LIMIT))}" for a in group.addresses]
        # Blank lines around it: an HTML block ends only at one.
        out.append("\n" + details(head, body) + "\n")
    return out
