"""Rules, findings and the registry: what a rule is and which rules can run today.

A rule is a small function over a `View` (the state being linted, neutral Resources). It names
the kinds it reads: a rule whose kinds this version does not have is listed, not run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum

from reconciler.core import Resource, State


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One risky object. `field` narrows the manifest position (a setting's key)."""

    rule: str
    message: str
    address: str
    field: str | None = None


@dataclass
class View:
    """What the rules read. `state`: the manifest's declared objects (offline) or the live ones
    (live); `declared`: the manifest's objects in both modes (to tell managed from not)."""

    state: State
    declared: State
    live: bool
    children: dict[str | None, list[Resource]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.state:
            self.children.setdefault(r.parent, []).append(r)

    def of(self, kind: str) -> Iterator[Resource]:
        return (r for r in self.state if r.kind == kind)

    def under(self, parent: str, kind: str) -> list[Resource]:
        return [r for r in self.children.get(parent, []) if r.kind == kind]


Check = Callable[[View], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    rationale: str
    fix: str
    kinds: tuple[str, ...]  # the kinds it reads; all must exist for it to run
    check: Check | None = None


RULES: dict[str, Rule] = {}


def rule(
    id: str, title: str, severity: Severity, kinds: tuple[str, ...], rationale: str, fix: str
) -> Callable[[Check], Check]:
    """Register a check under its metadata."""

    def register(check: Check) -> Check:
        RULES[id] = Rule(id, title, severity, _one_line(rationale), _one_line(fix), kinds, check)
        return check

    return register


def pending(
    id: str, title: str, severity: Severity, kinds: tuple[str, ...], rationale: str, fix: str
) -> None:
    """A rule whose kinds do not exist yet: listed with what it needs, never run."""
    RULES[id] = Rule(id, title, severity, _one_line(rationale), _one_line(fix), kinds)


def runnable(r: Rule, kinds: set[str]) -> bool:
    return r.check is not None and set(r.kinds) <= kinds


def _one_line(text: str) -> str:
    return " ".join(text.split())
