"""Generic diff: match by address, compare normalised fields, judge secrets through the kind.

Nothing here knows a CircleCI kind; every kind-specific rule comes through the Kind hooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.core import (
    Action,
    Change,
    Kind,
    Note,
    PlanContext,
    Reason,
    Resource,
    State,
    ignored,
    owner_index,
)
from reconciler.errors import ManifestError, Problem, UnsafePlan

ADOPTED_MISSING = "declared without a value ({}), absent in CircleCI: nothing can create it"


def _same(a: object, b: object) -> bool:
    """Equal in value and in type all the way down (True is not 1): no difference DeepDiff
    could find. Most fields of a plan are equal, and DeepDiff costs far more than this."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple))
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


def _differs(kind: Kind, name: str, want: object, have: object) -> bool:
    if _same(want, have):
        return False
    from deepdiff import DeepDiff  # a fifth of a second to import: only when values differ

    return bool(DeepDiff(have, want, ignore_order=name in kind.set_fields))


def _is_ignored(kind: Kind, r: Resource, ctx: PlanContext) -> bool:
    if kind.ignore_category is None or ctx.manifest is None:
        return False
    patterns = getattr(ctx.manifest.policy.ignore, kind.ignore_category, [])
    return ignored(patterns, r.name)


@dataclass
class Comparison:
    changed: list[str]  # field names that differ
    notes: list[str]  # where a value could not be compared honestly, or why it differs
    cause: Reason  # why an update is planned, when anything differs
    unseen: str | None = None  # why the value could not be compared, when it could not


def compare(kind: Kind, want: Resource, have: Resource, ctx: PlanContext) -> Comparison:
    """Changed field names, notes where a value could not be compared honestly, and why."""
    changed = [f for f, v in want.fields.items() if _differs(kind, f, v, have.fields.get(f))]
    out = Comparison(list(changed), [], Reason.FIELDS_DIFFER)
    if kind.secret_fields and want.secret is not None:
        verdict = kind.secret_verdict(want, have, ctx)
        cause: Reason | None = None
        if verdict.changed:
            cause = verdict.cause
            out.notes.append(verdict.why)
        elif verdict.changed is None and ctx.rewrite_secrets:
            cause = Reason.REWRITE_REQUESTED
            out.notes.append(f"rewritten on request: {verdict.why}")
        elif verdict.changed is None:
            out.unseen = f"value not compared: {verdict.why}"
        if cause is not None:
            out.changed.extend(sorted(kind.secret_fields))
            if not changed:  # only the secret differs: its reason is the change's
                out.cause = cause
    return out


def adoption_notes(adopted: list[Resource], registry: Mapping[str, Kind]) -> list[str]:
    """One note per collection, however many variables it adopts."""
    counts: dict[tuple[str, str], int] = {}
    for r in adopted:
        key = (r.parent or "", r.kind)
        counts[key] = counts.get(key, 0) + 1
    out = []
    for (parent, kind_name), n in sorted(counts.items()):
        label = registry[kind_name].label or kind_name
        out.append(
            f"{parent}: {n} {label}{'s' if n != 1 else ''} adopted without values ({{}}): "
            "never written, compared or deleted while declared"
        )
    return out


def missing_adopted(missing: list[Resource]) -> ManifestError:
    """Every adopted variable CircleCI lacks, each at its place in the manifest: a plan
    cannot make one exist, and reporting them all at once spares a run per fix."""
    problems = []
    for r in missing:
        words = f"{r.address} is {ADOPTED_MISSING}; give it a value (env, file, value) or remove it"
        where = r.secret.origin if r.secret is not None else None
        problems.append(where.problem(words) if where else Problem("<manifest>", 1, 1, words))
    return ManifestError(problems)


def _origins(c: Change, desired: State, registry: Mapping[str, Kind], ctx: PlanContext) -> str:
    """Where the manifest got what a change wants, when a default gave it ("" otherwise): the
    object itself, a changed field of it, or (for a delete) the collection that owns it."""
    manifest, r = ctx.manifest, c.desired or c.live
    kind = registry[c.kind]
    parent = desired.get(r.parent) if r is not None and r.parent else None
    if manifest is None or r is None or parent is None or kind.collection is None:
        return ""
    base = (registry[parent.kind].collection or "", parent.name, kind.collection)
    paths = [base] if c.action == "delete" else [(*base, r.name), *((*base, f) for f in c.changed)]
    found = [o for o in (manifest.default_origin(*p) for p in paths) if o]
    if not found and c.action != "delete":
        found = [o for o in [manifest.default_origin(*base)] if o]
    return f"; from {', '.join(dict.fromkeys(found))}" if found else ""


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


def _follow_replaced_parents(
    changes: list[Change], desired: State, live: State, registry: Mapping[str, Kind]
) -> None:
    """A replaced object is a new object: the children CircleCI kept on the old one go with
    it, so every declared child (and its children) is made again on the new one."""
    replaced = {c.address for c in changes if c.action == "replace"}
    if not replaced:
        return
    by_addr = {c.address: i for i, c in enumerate(changes)}
    for want in desired:  # parents come before their children
        have = live.get(want.address)
        if want.parent not in replaced or have is None:
            continue
        if want.protect:
            raise UnsafePlan(
                f"{want.address} is protected and its parent {want.parent} is replaced"
            )
        reason = f"its parent {want.parent} is replaced"
        kind = registry[want.kind]
        at = by_addr.get(want.address)
        changed = changes[at].changed if at is not None else []
        change = Change.make("replace", kind, want, have, changed, reason, Reason.PARENT_REPLACED)
        if at is None:
            changes.append(change)
        else:
            changes[at] = change
        replaced.add(want.address)


def _refuse_unlisted_children_of_replaced(
    changes: list[Change], desired: State, live: State
) -> None:
    """A replaced object's children the manifest leaves alone would go with the old one,
    unseen by the plan and uncounted by its guards: the plan stops and names them."""
    replaced = {c.address for c in changes if c.action == "replace"}
    if not replaced:
        return
    planned = {c.address for c in changes}
    lost = [
        have.address
        for have in sorted(live, key=lambda r: r.address)
        if have.parent in replaced and have.address not in desired and have.address not in planned
    ]
    if lost:
        raise UnsafePlan(
            "replacing makes a new object, and CircleCI deletes the old one's children with "
            "it; these are left alone by the manifest, so they would be lost: "
            + ", ".join(lost)
            + ". Declare them (export shows them) so they are made again on the new one"
        )


def diff(
    desired: State, live: State, registry: Mapping[str, Kind], ctx: PlanContext
) -> tuple[list[Change], list[str | Note]]:
    """Changes that make `live` match `desired`, and notes (unverifiable secrets)."""
    changes: list[Change] = []
    notes: list[str | Note] = []
    ignored_at = ignored_addresses(desired, live, registry, ctx)
    adopted: list[Resource] = []
    missing: list[Resource] = []
    losses: list[str] = []
    # plan and apply stop on a missing adopted variable; drift reports it as missing.
    strict = ctx.fetch is None or ctx.fetch.strict

    def skipped(r: Resource) -> bool:
        return r.address in ignored_at or r.parent in ignored_at

    for want in desired:
        kind = registry[want.kind]
        if skipped(want):
            if want.address in ignored_at:
                words = "declared but matches policy.ignore; not planned"
                notes.append(Note(want.address, Reason.IGNORED, words))
            continue
        have = live.get(want.address)
        if want.adopted:  # its value is managed elsewhere: only its presence is checked
            if have is not None:
                adopted.append(want)
            elif strict:
                missing.append(want)
            else:
                changes.append(
                    Change.make("create", kind, want, None, [], ADOPTED_MISSING, Reason.ABSENT)
                )
            continue
        if have is None:
            words = "declared in the manifest, absent in CircleCI"
            changes.append(Change.make("create", kind, want, None, [], words, Reason.ABSENT))
            continue
        found = compare(kind, want, have, ctx)
        changed, why = found.changed, found.notes + ([found.unseen] if found.unseen else [])
        if not changed:
            if found.unseen:
                notes.append(Note(want.address, Reason.NOT_COMPARED, found.unseen))
            continue
        action: Action = "replace" if kind.must_replace(want, have, changed) else "update"
        cause = Reason.NO_UPDATE_ROUTE if action == "replace" else found.cause
        if action == "replace" and want.protect:
            raise UnsafePlan(
                f"{want.address} is protected and would have to be replaced ({', '.join(changed)})"
            )
        reason = "differs from the manifest: " + ", ".join(changed)
        if why:
            reason += f" ({'; '.join(why)})"
        lost = kind.update_loses(want, have, changed) if action == "update" else None
        if lost is not None:
            losses.append(f"{want.address}: an update would drop {lost}")
            reason += f"; an update would drop {lost}"
        changes.append(Change.make(action, kind, want, have, changed, reason, cause))

    _follow_replaced_parents(changes, desired, live, registry)
    if missing:
        raise missing_adopted(missing)
    if losses and strict:
        raise UnsafePlan("; ".join(losses))
    notes.extend(adoption_notes(adopted, registry))

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
        changes.append(Change.make("delete", kind, None, have, [], reason, Reason.NOT_DECLARED))
        deleted.add(have.address)
    if strict:  # drift reports the replace; only plan and apply stop
        _refuse_unlisted_children_of_replaced(changes, desired, live)
    for c in changes:
        c.reason += _origins(c, desired, registry, ctx)
    return changes, notes
