"""Change and Plan: the change data, its ordering into waves, safety checks, dict form.

Ordering is separate from the changes themselves: writes run parent-first (and a kind's
`after_siblings` first, e.g. a new context gets its restrictions before any secret), and
deletes run last, child-first, so nothing is ever left without a value or a restriction;
a kind's deletes also wait for the creates of its `deletes_after` kinds under the same
parent, so a failed replacement of another kind leaves the old object in place.
"""

from __future__ import annotations

import difflib

from reconciler.core import Change, Kind, Plan
from reconciler.errors import ReconcilerError, UnsafePlan


def order(changes: list[Change], kinds: dict[str, Kind]) -> list[Change]:
    """Fill `requires` and `wave`; return changes sorted by wave then address."""
    by_addr = {c.address: c for c in changes}
    writes = [c for c in changes if c.action != "delete"]
    deletes = [c for c in changes if c.action == "delete"]

    creating = {c.address for c in writes if c.action in ("create", "replace")}
    by_parent_kind: dict[tuple[str | None, str], list[str]] = {}
    by_kind: dict[str, list[str]] = {}
    for c in writes:
        if c.action in ("create", "replace"):
            by_parent_kind.setdefault((c.parent, c.kind), []).append(c.address)
            by_kind.setdefault(c.kind, []).append(c.address)
    for c in writes:
        kind = kinds[c.kind]
        req = set()
        if c.parent in creating:
            req.add(c.parent)
        for sibling_kind in kind.after_siblings:
            req.update(by_parent_kind.get((c.parent, sibling_kind), []))
        if c.desired is not None:
            req.update(a for a in kind.requires(c.desired) if a in creating)
        c.requires = sorted(req)

    for c in deletes:
        # Children go first; and a collection's new members must exist before old ones go,
        # so a failed replacement (say, a new restriction) keeps the old one in place.
        req = {d.address for d in deletes if d.parent == c.address}
        req.update(by_parent_kind.get((c.parent, c.kind), []))
        under = f"{c.parent}." if c.parent else ""
        for made_kind in kinds[c.kind].deletes_after:
            req.update(a for a in by_kind.get(made_kind, []) if a.startswith(under))
        c.requires = sorted(req)

    def depth(c: Change, seen: frozenset[str] = frozenset()) -> int:
        if c.address in seen:  # a cycle would be a bug in a kind's declarations
            raise UnsafePlan(f"dependency cycle at {c.address}")
        reqs = [by_addr[a] for a in c.requires if a in by_addr]
        return 0 if not reqs else 1 + max(depth(r, seen | {c.address}) for r in reqs)

    for c in writes:
        c.wave = depth(c)
    base = 1 + max((c.wave for c in writes), default=-1)
    for c in deletes:
        c.wave = base + depth(c)
    # deletes that wait on children must also run after them: depth counts children first
    return sorted(changes, key=lambda c: (c.wave, c.address))


# The mass-update guard looks at proportions, which mean little for a handful of objects.
MIN_MANAGED_FOR_UPDATE_GUARD = 10


def safety_problems(
    plan: Plan, *, max_deletes: int, allow_deletes: bool = False, force: bool = False
) -> list[str]:
    """Why apply would refuse this plan (empty when it would not)."""
    problems = []
    deletes = plan.summary["delete"]
    if deletes > max_deletes and not allow_deletes:
        problems.append(
            f"the plan deletes {deletes} objects, more than policy.max_deletes ({max_deletes}); "
            "review it and pass --allow-deletes to proceed"
        )
    updates = plan.summary["update"] + plan.summary["replace"]
    big = plan.managed >= MIN_MANAGED_FOR_UPDATE_GUARD
    if big and updates * 2 > plan.managed and not force:
        problems.append(
            f"the plan changes {updates} of {plan.managed} managed objects (more than half); "
            "review it and pass --force to proceed"
        )
    return problems


def check_safety(
    plan: Plan, *, max_deletes: int, allow_deletes: bool = False, force: bool = False
) -> None:
    """Apply's guard rails. `protect` is enforced while diffing (a protected object is never
    planned for replacement) and has no override."""
    problems = safety_problems(
        plan, max_deletes=max_deletes, allow_deletes=allow_deletes, force=force
    )
    if problems:
        raise UnsafePlan("; ".join(problems))


def unknown_target(target: str, known: list[str]) -> ReconcilerError:
    """A --target that matches nothing, with the nearest addresses: most are typos."""
    # A high cutoff: addresses share long prefixes (`context[`), which alone look alike.
    close = difflib.get_close_matches(target, sorted(set(known)), n=3, cutoff=0.8)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return ReconcilerError(
        f"--target {target} matches nothing in the manifest or in CircleCI{hint} "
        "(brackets inside a name are written \\[ and \\])"
    )
