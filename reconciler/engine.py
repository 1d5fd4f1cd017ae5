"""Orchestration only: manifest -> desired state; API -> live state; both -> diff -> plan."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from queue import SimpleQueue

from reconciler.client.api import CircleCI
from reconciler.client.response import unexpected_shape
from reconciler.core import (
    Change,
    FetchContext,
    Kind,
    Plan,
    PlanContext,
    Resource,
    State,
    owner_index,
)
from reconciler.diff import diff, ignored_addresses
from reconciler.errors import ApiError, BadRequest, NotFound, PermissionDenied
from reconciler.ledger import Ledger
from reconciler.manifest import Manifest, SecretResolver
from reconciler.plan import order, safety_problems, unknown_target
from reconciler.resources import REGISTRY

Progress = Callable[[int, int], None]  # (done, total) of live reads
log = logging.getLogger("reconciler.engine")


def build_desired(ctx: PlanContext, kinds: dict[str, Kind] = REGISTRY) -> State:
    state = State()
    for kind in kinds.values():
        resources, scopes = kind.desired(ctx)
        state.add(resources)
        state.scopes.update(scopes)
    return state


def _looked_up(lookup: Callable[[], None]) -> list[Resource]:
    """A kind's lookup fills a fact and finds no object of its own."""
    lookup()
    return []


def _read_child(ctx: FetchContext, kind: Kind, parent: Resource) -> list[Resource]:
    """One child collection; in read_all mode a collection CircleCI refuses to show (not
    available for this project type, or not for this token) is recorded, not fatal. Any other
    failure (auth, rate limit after retries, server) still stops the read."""
    if not ctx.read_all:
        return kind.fetch(ctx, parent)
    try:
        return kind.fetch(ctx, parent)
    except (BadRequest, PermissionDenied, NotFound) as exc:
        ctx.unreadable[(parent.address, kind.name)] = str(exc)
        return []


def fetch_live(
    api: CircleCI,
    manifest: Manifest,
    progress: Progress | None = None,
    kinds: dict[str, Kind] = REGISTRY,
    strict: bool = True,
    read_all: bool = False,
) -> tuple[State, FetchContext]:
    """The live state, or ApiError when CircleCI's answers are not what the API promises: a
    plan made from objects without names or ids would create or delete the wrong things.
    read_all (export): every child collection of the parents read is wanted."""
    outcome = "nothing was exported" if read_all else "nothing was planned or changed"
    with unexpected_shape(outcome):
        return _fetch_live(api, manifest, progress, kinds, strict, read_all)


def _identified(r: Resource) -> Resource:
    """A live object with a name and ids, checked before anything is read or planned from it."""
    ids = [r.ids[k] for k in ("id", "fingerprint") if k in r.ids]
    if not (isinstance(r.name, str) and r.name) or not all(isinstance(i, str) and i for i in ids):
        raise ApiError(
            f"CircleCI listed a {r.kind} without its name or id; nothing was planned or changed"
        )
    return r


def _fetch_live(
    api: CircleCI,
    manifest: Manifest,
    progress: Progress | None,
    kinds: dict[str, Kind],
    strict: bool,
    read_all: bool,
) -> tuple[State, FetchContext]:
    """Read exactly what the manifest's scope needs: collection reads on one bounded pool,
    each child collection read as soon as its parent is known (no phase barriers)."""
    ctx = FetchContext(api=api, manifest=manifest, strict=strict, read_all=read_all)
    org = api.get_organization(manifest.organization)
    ctx.org_slug = org.get("slug") or manifest.organization
    # The spec lets /me/collaborations list an org with a null id: contexts then go by slug.
    ctx.org_id = org["id"] or ctx.org_slug

    # What kinds look up besides their objects runs in the first round, beside the top-level
    # reads.
    first: list[Callable[[], list[Resource]]] = [
        partial(_looked_up, lookup) for kind in kinds.values() for lookup in kind.lookups(ctx)
    ]
    for kind in kinds.values():
        if kind.parent_kind is None:
            first.extend(kind.fetch_units(ctx))
    children: dict[str, list[Kind]] = {}
    for kind in kinds.values():
        if kind.parent_kind is not None:
            children.setdefault(kind.parent_kind, []).append(kind)

    state = State()
    found_by_kind: dict[str, list[Resource]] = {}
    workers = max(1, int(getattr(getattr(api, "config", None), "concurrency", 8)))
    done = total = 0
    # Each read reports itself done on a queue: waiting on the set of pending reads instead
    # would cost every completion a pass over all of them (quadratic in a large org).
    finished: SimpleQueue[Future[list[Resource]]] = SimpleQueue()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:

        def submit(fn: Callable[..., list[Resource]], *args: object) -> None:
            nonlocal total
            pool.submit(fn, *args).add_done_callback(finished.put)
            total += 1

        try:
            for fn in first:
                submit(fn)
            while done < total:
                future = finished.get()
                for r in map(_identified, future.result()):
                    found_by_kind.setdefault(r.kind, []).append(r)
                    for kind in children.get(r.kind, []):
                        if kind.wants(ctx, r):
                            submit(_read_child, ctx, kind, r)
                done += 1
                if progress is not None:
                    progress(done, total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    # Names that depend on other reads (project ids, group names) are settled last.
    for kind in kinds.values():
        state.add(kind.settle(ctx, found_by_kind.get(kind.name, [])))
    log.info("read %d live objects of %s in %d reads", len(state), ctx.org_slug, total)
    return state, ctx


def _untimed(
    desired: State, live: State, kinds: dict[str, Kind], ledger: Ledger | None
) -> list[str]:
    """Recorded secrets whose hand edits the ledger cannot see, for one note per plan."""
    if ledger is None:
        return []
    out = []
    for r in desired:
        have = live.get(r.address)
        if r.adopted or have is None:
            continue
        if kinds[r.kind].secret_fields and r.secret is not None:
            if ledger.untimed(r.address, have.signal):
                out.append(r.address)
    return out


@dataclass
class PlanResult:
    plan: Plan
    desired: State
    live: State
    fetch: FetchContext
    ignored: frozenset[str] = frozenset()  # addresses policy.ignore names


def _select(changes: list[Change], targets: list[str]) -> list[Change]:
    """Changes at or below the targets, plus whatever those require."""
    if not targets:
        return changes
    by_addr = {c.address: c for c in changes}
    keep = {
        c.address
        for c in changes
        if any(c.address == t or c.address.startswith(t + ".") for t in targets)
    }
    stack = list(keep)
    while stack:
        for req in by_addr[stack.pop()].requires:
            if req in by_addr and req not in keep:
                keep.add(req)
                stack.append(req)
    return [c for c in changes if c.address in keep]


def make_plan(
    manifest: Manifest,
    api: CircleCI,
    *,
    resolver: SecretResolver | None = None,
    ledger: Ledger | None = None,
    targets: list[str] | None = None,
    progress: Progress | None = None,
    kinds: dict[str, Kind] = REGISTRY,
    strict: bool = True,
    rewrite_secrets: bool = False,
) -> PlanResult:
    live, fctx = fetch_live(api, manifest, progress, kinds, strict)
    # Built after the read, so desired objects can name the ids CircleCI holds.
    pctx = PlanContext(
        manifest=manifest,
        resolver=resolver,
        ledger=ledger,
        fetch=fctx,
        rewrite_secrets=rewrite_secrets,
    )
    desired = build_desired(pctx, kinds)
    log.info("the manifest declares %d objects", len(desired))
    known = [r.address for state in (desired, live) for r in state]
    for t in targets or []:
        if not any(a == t or a.startswith(t + ".") for a in known):
            raise unknown_target(t, known)
    changes, notes = diff(desired, live, kinds, pctx)
    ordered = _select(order(changes, kinds), targets or [])
    # An adopted variable is never written: it does not dilute the mass-update guard.
    managed = sum(1 for r in desired if kinds[r.kind].managed and not r.adopted)
    # The plan depends on what the manifest declares and on what it owns; an unmanaged
    # context made elsewhere in the organization does not stale a saved plan.
    owner = owner_index(desired.scopes)
    owned = {r.address for r in live if owner(r) is not None}
    plan = Plan(
        organization=manifest.organization,
        changes=ordered,
        checksum=live.checksum(only=owned | {r.address for r in desired}),
        notes=notes,
        managed=managed,
    )
    # Reviewers see in the plan which flag apply will ask for.
    plan.refusals = safety_problems(plan, max_deletes=manifest.policy.max_deletes)
    # A collection CircleCI refused to show (a feature this organization does not have),
    # recorded by the kind that reads it instead of failing the read: one note each.
    for (parent, name), why in sorted(fctx.unreadable.items(), key=str):
        plan.notes.append(f"{parent or manifest.organization}: {name} not read: {why}")
    untimed = _untimed(desired, live, kinds, ledger)
    if untimed:
        plan.notes.append(
            "tamper detection is not possible for "
            f"{', '.join(untimed)}: CircleCI reports no usable time of the last write"
        )
    if ledger is None and any(r.signal.get("version") for r in desired):
        plan.notes.append("`version` has an effect only with a ledger (--ledger or policy.ledger)")
    ignored = frozenset(ignored_addresses(desired, live, kinds, pctx))
    return PlanResult(plan=plan, desired=desired, live=live, fetch=fctx, ignored=ignored)
