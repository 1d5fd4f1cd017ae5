"""Generic diff: match by address, compare normalised fields, judge secrets through the kind.

Nothing here knows a CircleCI kind; every kind-specific rule comes through the Kind hooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.errors import UnsafePlan
from reconciler.plan import Change
from reconciler.resources.base import Action, Kind, Resource, ignored, owner_index
from reconciler.resources.runtime import PlanContext
from reconciler.state import State


def _same(a: Any, b: Any) -> bool:
    """Equal in value and in type all the way down (True is not 1): no difference DeepDiff
    could find. Most fields of a plan are equal, and DeepDiff costs far more than this."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


def _differs(kind: Kind, name: str, want: Any, have: Any) -> bool:
    if _same(want, have):
        return False
    from deepdiff import DeepDiff  # a fifth of a second to import: only when values differ

    return bool(DeepDiff(have, want, ignore_order=name in kind.set_fields))


def _is_ignored(kind: Kind, r: Resource, ctx: PlanContext) -> bool:
    if kind.ignore_category is None or ctx.manifest is None:
        return False
    patterns = getattr(ctx.manifest.policy.ignore, kind.ignore_category, [])
    return ignored(patterns, r.name)


def compare(
    kind: Kind, want: Resource, have: Resource, ctx: PlanContext
) -> tuple[list[str], list[str]]:
    """Changed field names, and notes where a value could not be compared honestly."""
    changed = [f for f, v in want.fields.items() if _differs(kind, f, v, have.fields.get(f))]
    notes: list[str] = []
    if kind.secret_fields and want.secret is not None:
        verdict = kind.secret_verdict(want, have, ctx)
        if verdict.changed:
            changed.extend(sorted(kind.secret_fields))
            notes.append(verdict.why)
        elif verdict.changed is None and ctx.rewrite_secrets:
            changed.extend(sorted(kind.secret_fields))
            notes.append(f"rewritten on request: {verdict.why}")
        elif verdict.changed is None:
            notes.append(f"value not compared: {verdict.why}")
    return changed, notes


def ignored_addresses(
    desired: State, live: State, registry: Mapping[str, Kind], ctx: PlanContext
) -> set[str]:
    """Objects policy.ignore names; they and everything under them are never planned."""
    return {
        r.address
        for state in (desired, live)
        for r in state
        if _is_ignored(registry[r.kind], r, ctx)
    }


def diff(
    desired: State, live: State, registry: Mapping[str, Kind], ctx: PlanContext
) -> tuple[list[Change], list[str]]:
    """Changes that make `live` match `desired`, and plan-wide notes (unverifiable secrets)."""
    changes: list[Change] = []
    notes: list[str] = []
    ignored_at = ignored_addresses(desired, live, registry, ctx)

    def skipped(r: Resource) -> bool:
        return r.address in ignored_at or r.parent in ignored_at

    for want in desired:
        kind = registry[want.kind]
        if skipped(want):
            if want.address in ignored_at:
                notes.append(f"{want.address}: declared but matches policy.ignore; not planned")
            continue
        have = live.get(want.address)
        if have is None:
            changes.append(
                Change.make(
                    "create", kind, want, None, [], "declared in the manifest, absent in CircleCI"
                )
            )
            continue
        changed, why = compare(kind, want, have, ctx)
        if not changed:
            notes.extend(f"{want.address}: {n}" for n in why)
            continue
        action: Action = "replace" if set(changed) & kind.immutable_fields else "update"
        if action == "replace" and want.protect:
            raise UnsafePlan(
                f"{want.address} is protected and would have to be replaced ({', '.join(changed)})"
            )
        reason = "differs from the manifest: " + ", ".join(changed)
        if why:
            reason += f" ({'; '.join(why)})"
        changes.append(Change.make(action, kind, want, have, changed, reason))

    deleted: set[str] = set()
    owner = owner_index(desired.scopes)
    for have in sorted(live, key=lambda r: r.address):
        if have.address in desired:
            continue
        kind = registry[have.kind]
        scope = owner(have)
        if scope is None or skipped(have):
            continue
        if kind.deleted_with_parent and have.parent in deleted:
            deleted.add(have.address)
            continue
        label = kind.label or kind.name
        reason = scope.reason or f"not in the manifest, which owns this {label} collection"
        changes.append(Change.make("delete", kind, None, have, [], reason))
        deleted.add(have.address)
    return changes, notes
