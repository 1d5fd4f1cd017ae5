"""Lint a manifest offline or the live organization, apply the manifest's suppressions and
build the plain report every renderer reads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from reconciler import __version__
from reconciler.client.api import CircleCI
from reconciler.core import Kind, PlanContext, Resource, State
from reconciler.engine import build_desired, fetch_live
from reconciler.errors import ManifestError
from reconciler.lint import platform_rules as _platform_rules  # noqa: F401  (registers)
from reconciler.lint import rules as _rules  # noqa: F401  (registers the rules)
from reconciler.lint.registry import RULES, Finding, Severity, View, rule, runnable
from reconciler.manifest import Manifest
from reconciler.manifest.section import TOP
from reconciler.resources import REGISTRY

UNUSED = "suppression-unused"


@rule(
    UNUSED,
    "Suppression that matches nothing",
    Severity.LOW,
    (),
    """A suppression left behind after its finding was fixed would silently hide the next
    finding that happens to match it.""",
    """Delete the suppression from `policy.lint.suppress`, or correct its rule or address.""",
)
def _unused(view: View) -> Iterator[Finding]:
    return iter(())  # reported by the suppression pass below, not from the state


def declared(manifest: Manifest, kinds: dict[str, Kind] = REGISTRY) -> State:
    """The manifest's objects, offline: no secret is resolved, no API is called."""
    return build_desired(PlanContext(manifest=manifest), kinds)


def check_suppressions(manifest: Manifest) -> None:
    """A suppression naming no rule is a manifest error, at its place."""
    problems = [
        manifest.value_position("policy", "lint", "suppress", i, "rule").problem(
            f"policy.lint: no lint rule is called {s.rule!r} (see `lint --list-rules`)"
        )
        for i, s in enumerate(manifest.policy.lint.suppress)
        if s.rule not in RULES
    ]
    if problems:
        raise ManifestError(problems)


def lint_offline(manifest: Manifest, fail_on: Severity) -> dict[str, Any]:
    check_suppressions(manifest)
    state = declared(manifest)
    return _report(manifest, View(state, state, live=False), fail_on, [])


def lint_live(api: CircleCI, manifest: Manifest, fail_on: Severity) -> dict[str, Any]:
    """The organization as plan reads it (same kinds, GET only), every child collection of
    the manifest's projects and every context included."""
    check_suppressions(manifest)
    live, fetch = fetch_live(api, manifest, strict=False, read_all=True)
    notes = [
        f"{parent or manifest.organization}: {kind} not read: {why}"
        for (parent, kind), why in sorted(fetch.unreadable.items(), key=str)
    ]
    return _report(manifest, View(live, declared(manifest), live=True), fail_on, notes)


def address_glob(pattern: str) -> re.Pattern[str]:
    """`*` any text, `?` one character; everything else literal (addresses hold brackets)."""
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(f"^{body}$")


def fingerprint(finding: Finding) -> str:
    """Stable across commits: the rule and the object, not the line it sits on."""
    return hashlib.sha256(f"{finding.rule}\0{finding.address}".encode()).hexdigest()[:32]


def _path(r: Resource, state: State, kinds: dict[str, Kind]) -> tuple[str | int, ...]:
    """Where a declared object sits in the manifest, from the kinds' collection keys."""
    kind = kinds[r.kind]
    if r.parent and (p := state.get(r.parent)):
        base = _path(p, state, kinds)
    else:  # a top-level kind; an organization section sits under organization_settings
        owner = kind.section.owner if kind.section is not None else None
        base = (TOP[owner],) if owner == "organization" else ()
    key = kind.collection or r.kind
    return (*base, key) if key == r.name else (*base, key, r.name)


def _location(manifest: Manifest, view: View, f: Finding) -> dict[str, Any] | None:
    r = view.state.get(f.address)
    if view.live or r is None:
        return None
    path = _path(r, view.state, REGISTRY) + ((f.field,) if f.field else ())
    pos = manifest.position(*path)
    return {"file": pos.file, "line": pos.line, "col": pos.col}


def _report(manifest: Manifest, view: View, fail_on: Severity, notes: list[str]) -> dict[str, Any]:
    kinds = set(REGISTRY)
    checks = [r.check for r in RULES.values() if runnable(r, kinds) and r.check is not None]
    found = [f for check in checks for f in check(view)]
    suppress = manifest.policy.lint.suppress
    used: set[int] = set()
    out = []
    for f in sorted(found, key=lambda f: (f.address, f.rule)):
        item = _item(f, _location(manifest, view, f))
        for i, s in enumerate(suppress):
            if s.rule == f.rule and address_glob(s.address).match(f.address):
                used.add(i)
                item["suppressed"] = {"reason": s.reason}
                break
        out.append(item)
    for i, s in enumerate(suppress):
        if i not in used:
            pos = manifest.position("policy", "lint", "suppress", i)
            f = Finding(
                UNUSED,
                f"suppression of {s.rule} at {s.address!r} matches nothing",
                f"policy.lint.suppress[{i}]",
            )
            out.append(_item(f, {"file": pos.file, "line": pos.line, "col": pos.col}))
    failing = [o for o in out if not o["suppressed"] and Severity[o["severity"].upper()] >= fail_on]
    return {
        "format_version": 1,
        "tool": {"name": "circleci-reconciler", "version": __version__},
        "mode": "live" if view.live else "offline",
        "organization": manifest.organization,
        "fail_on": fail_on.label,
        "rules": rules_table(),
        "findings": out,
        "notes": notes,
        "summary": {
            "findings": sum(1 for o in out if not o["suppressed"]),
            "suppressed": sum(1 for o in out if o["suppressed"]),
            "failing": len(failing),
        },
    }


def _item(f: Finding, location: dict[str, Any] | None) -> dict[str, Any]:
    r = RULES[f.rule]
    return {
        "rule": f.rule,
        "severity": r.severity.label,
        "message": f.message,
        "address": f.address,
        "location": location,
        "fingerprint": fingerprint(f),
        "suppressed": None,
    }


def rules_table() -> list[dict[str, Any]]:
    kinds = set(REGISTRY)
    return [
        {
            "id": r.id,
            "title": r.title,
            "severity": r.severity.label,
            "rationale": r.rationale,
            "fix": r.fix,
            "kinds": list(r.kinds),
            "available": runnable(r, kinds),
            "missing_kinds": sorted(set(r.kinds) - kinds),
        }
        for r in RULES.values()
    ]
