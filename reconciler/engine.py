"""Orchestration only: manifest -> desired state; API -> live state; both -> diff -> plan."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from reconciler.diff import diff, ignored_addresses
from reconciler.errors import BadRequest, NotFound, PermissionDenied, ReconcilerError
from reconciler.plan import Change, Plan, order, safety_problems
from reconciler.resources import REGISTRY
from reconciler.resources.base import Kind, Resource, owner_index
from reconciler.resources.names import is_uuid
from reconciler.resources.runtime import FetchContext, PlanContext
from reconciler.state import State

Progress = Callable[[int, int], None]  # (done, total) of live reads
log = logging.getLogger("reconciler.engine")


def build_desired(ctx: PlanContext, kinds: dict[str, Kind] = REGISTRY) -> State:
    state = State()
    for kind in kinds.values():
        resources, scopes = kind.desired(ctx)
        state.add(resources)
        state.scopes.update(scopes)
    return state


def _needs_user(manifest: Any) -> bool:
    return any(getattr(p, "schedules", None) for p in manifest.projects.values())


def _group_names(manifest: Any) -> list[str]:
    """Groups the manifest names by name (ids need no lookup)."""
    return [
        g
        for c in manifest.contexts.values()
        for g in getattr(getattr(c, "restrictions", None), "groups", None) or []
        if not is_uuid(g)
    ]


def _needs_groups(manifest: Any) -> bool:
    """Group restrictions are shown by name, so read the groups wherever restrictions are."""
    return any(getattr(c, "restrictions", None) is not None for c in manifest.contexts.values())


def fetch_live(
    api: Any,
    manifest: Any,
    progress: Progress | None = None,
    kinds: dict[str, Kind] = REGISTRY,
    strict: bool = True,
) -> tuple[State, FetchContext]:
    """Read exactly what the manifest's scope needs: collection reads on one bounded pool,
    each child collection read as soon as its parent is known (no phase barriers)."""
    ctx = FetchContext(api=api, manifest=manifest, strict=strict)
    org = api.get_organization(manifest.organization)
    ctx.org_id, ctx.org_slug = org["id"], org.get("slug") or manifest.organization

    def me() -> list[Resource]:
        ctx.user_id = api.me().get("id") or ""
        return []

    def groups() -> list[Resource]:
        try:
            ctx.groups = {g["name"]: g["id"] for g in api.list_groups(ctx.org_id)}
        except (NotFound, PermissionDenied, BadRequest):
            # Groups exist only for some organizations. Without names, live group
            # restrictions show by id; a manifest that names groups cannot be planned.
            # Any other failure (5xx, rate limit, no answer) stops the plan: guessing
            # "no groups" would plan restrictions away.
            if _group_names(manifest):
                raise
            log.info("groups are not available for %s", ctx.org_slug)
            ctx.groups = {}
        unknown = sorted(set(_group_names(manifest)) - set(ctx.groups))
        if unknown and ctx.strict:  # a restriction on it could never be created: say so now
            raise ReconcilerError(
                f"group(s) {', '.join(unknown)}, named in context restrictions, do not exist "
                f"in {ctx.org_slug}"
            )
        return []

    first: list[Callable[[], list[Resource]]] = []
    if _needs_user(manifest):
        first.append(me)
    if _needs_groups(manifest):
        first.append(groups)
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

        def submit(fn: Callable[..., list[Resource]], *args: Any) -> None:
            nonlocal total
            pool.submit(fn, *args).add_done_callback(finished.put)
            total += 1

        try:
            for fn in first:
                submit(fn)
            while done < total:
                future = finished.get()
                for r in future.result():
                    found_by_kind.setdefault(r.kind, []).append(r)
                    for kind in children.get(r.kind, []):
                        if kind.wants(ctx, r):
                            submit(kind.fetch, ctx, r)
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
    manifest: Any,
    api: Any,
    *,
    resolver: Any = None,
    ledger: Any = None,
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
            raise ReconcilerError(
                f"--target {t} matches nothing in the manifest or in CircleCI "
                "(brackets inside a name are written \\[ and \\])"
            )
    changes, notes = diff(desired, live, kinds, pctx)
    ordered = _select(order(changes, kinds), targets or [])
    managed = sum(1 for r in desired if kinds[r.kind].managed)
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
    for problem in safety_problems(plan, max_deletes=manifest.policy.max_deletes):
        plan.notes.insert(0, f"apply will refuse this plan unless told: {problem}")
    if ledger is None and any(r.signal.get("version") for r in desired):
        plan.notes.append("`version` has an effect only with a ledger (--ledger or policy.ledger)")
    ignored = frozenset(ignored_addresses(desired, live, kinds, pctx))
    return PlanResult(plan=plan, desired=desired, live=live, fetch=fctx, ignored=ignored)
