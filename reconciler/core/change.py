"""Change and Plan: the change data and its dict form (ordering and safety are in plan.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.kind import Kind
from reconciler.core.resource import SENSITIVE, Action, Reason, Resource

FORMAT_VERSION = 1
ACTIONS: tuple[Action, ...] = ("create", "update", "replace", "delete")


def _view(
    kind: Kind, r: Resource | None, base: Resource | None = None, *, live: bool = False
) -> dict[str, Any] | None:
    """Display form of one side: fields, with every secret field shown only as (sensitive)."""
    if r is None:
        return None
    out = dict(base.fields) if base is not None else {}
    out.update(r.fields)
    # A live object of a secret-bearing kind holds a value we cannot show; a desired one
    # shows its field only when the manifest gives a value, and the value itself only when
    # it is written in the manifest (it is in git already).
    shown = None if live else literal(r)
    for name in sorted(kind.secret_fields):
        if shown is not None and not live:
            out[name] = shown
        elif r.secret is not None or live or name in out:
            out[name] = SENSITIVE
    return dict(sorted(out.items()))


def literal(r: Resource | None) -> str | None:
    """The value written in the manifest itself; None for `env:`/`file:` and adopted ones."""
    secret = r.secret if r is not None else None
    # getattr: tests of the neutral core stand anything in for a reference
    value = getattr(secret, "value", None)
    if value is None or getattr(secret, "env", None) or getattr(secret, "file", None):
        return None
    return str(value.reveal())


@dataclass
class Change:
    address: str
    kind: str
    action: Action
    reason: str
    parent: str | None
    desired: Resource | None
    live: Resource | None
    changed: list[str] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    requires: list[str] = field(default_factory=list)
    wave: int = 0
    # The typed reason; `reason` words it for people.
    cause: Reason = Reason.FIELDS_DIFFER

    @classmethod
    def make(
        cls,
        action: Action,
        kind: Kind,
        desired: Resource | None,
        live: Resource | None,
        changed: list[str],
        reason: str,
        cause: Reason,
    ) -> Change:
        r = desired or live
        assert r is not None
        return cls(
            address=r.address,
            kind=kind.name,
            action=action,
            reason=reason,
            cause=cause,
            parent=r.parent,
            desired=desired,
            live=live,
            changed=changed,
            # A value written in the manifest is no secret of the plan's to keep.
            sensitive=[] if literal(desired) is not None else sorted(kind.secret_fields),
            before=_view(kind, live, live=True),
            after=None if action == "delete" else _view(kind, desired, base=live),
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "address": self.address,
            "kind": self.kind,
            "action": self.action,
            "reason": self.reason,
            "before": self.before,
            "after": self.after,
        }
        if self.action in ("update", "replace"):
            d["changed_fields"] = list(self.changed)
        if self.sensitive:
            d["sensitive_fields"] = list(self.sensitive)
        d["requires"] = list(self.requires)
        d["wave"] = self.wave
        return d


@dataclass(frozen=True)
class Note:
    """A remark about one object. Reports group the same remark (same cause, same words)
    about many objects into one line, so a large organization does not repeat it per secret."""

    address: str
    cause: Reason
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"address": self.address, "cause": self.cause.value, "note": self.text}


def split_notes(notes: list[str | Note]) -> tuple[list[str], list[dict[str, str]]]:
    """Plan-wide notes, and notes about one object each in their dict form."""
    plain = [n for n in notes if isinstance(n, str)]
    return plain, [n.to_dict() for n in notes if isinstance(n, Note)]


@dataclass
class Plan:
    organization: str
    changes: list[Change]
    checksum: str
    notes: list[str | Note] = field(default_factory=list)
    managed: int = 0  # objects the manifest manages (for the mass-update check)
    # Why apply would refuse this plan: reports show these before anything else.
    refusals: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(c.action for c in self.changes)
        return {a: counts.get(a, 0) for a in ACTIONS}

    @property
    def empty(self) -> bool:
        return not self.changes

    def waves(self) -> list[list[Change]]:
        out: dict[int, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.wave, []).append(c)
        return [out[k] for k in sorted(out)]

    def to_dict(self) -> dict[str, Any]:
        plain, objects = split_notes(self.notes)
        return {
            "format_version": FORMAT_VERSION,
            "organization": self.organization,
            "checksum": self.checksum,
            "refusals": list(self.refusals),
            "summary": self.summary,
            "changes": [c.to_dict() for c in self.changes],
            "notes": plain,
            "object_notes": objects,
        }
