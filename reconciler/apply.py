"""Run a plan through the kinds' handlers in dependency waves with bounded concurrency.

A failed change skips everything that requires it; independent changes still finish. Every
write is safe to repeat (upserts, or creates that re-read after an ambiguous failure), so a
failed or interrupted run is repaired by the next one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from reconciler.client.api import CircleCI
from reconciler.core import ApplyContext, Change, Kind
from reconciler.engine import PlanResult
from reconciler.errors import AuthError, ReconcilerError
from reconciler.ledger import Ledger
from reconciler.manifest import SecretResolver
from reconciler.resources import REGISTRY

Status = Literal["done", "failed", "skipped"]
log = logging.getLogger("reconciler.apply")


@dataclass
class Outcome:
    address: str
    action: str
    status: Status
    detail: str = ""


def _execute(kind: Kind, ctx: ApplyContext, c: Change) -> str:
    """Run one change; answer what the kind noted of its result (signal["note"]), if any."""
    written = None
    if ctx.ledger is not None and _bears_secret(kind, c):
        ctx.ledger.intend(c.address)  # saved before the request: a kill cannot orphan it
    if c.action == "create":
        assert c.desired is not None
        written = kind.create(ctx, c.desired)
        ctx.remember(written)
    elif c.action == "update":
        assert c.desired is not None and c.live is not None
        written = kind.update(ctx, c.desired, c.live, c.changed)
        if written is not None:
            ctx.remember(written)
    elif c.action == "delete":
        assert c.live is not None
        kind.delete(ctx, c.live)
    else:  # replace: new before old where the API allows two at once
        assert c.desired is not None and c.live is not None
        if kind.replace_creates_first:
            created = kind.create(ctx, c.desired)
            kind.delete(ctx, c.live)
        else:
            kind.delete(ctx, c.live)
            created = kind.create(ctx, c.desired)
        ctx.remember(created)
        written = created
    if ctx.ledger is not None and c.action != "delete":
        _record(kind, ctx, ctx.ledger, c)
    return str(written.signal.get("note") or "") if written is not None else ""


def _bears_secret(kind: Kind, c: Change) -> bool:
    return bool(kind.secret_fields) and c.desired is not None and c.desired.secret is not None


def _record(kind: Kind, ctx: ApplyContext, ledger: Ledger, c: Change) -> None:
    """Tell the ledger what a successful write of a secret-bearing object left behind."""
    desired = c.desired
    if not kind.secret_fields or desired is None or desired.secret is None:
        return
    live = ctx.live.get(desired.address)
    updated = live.signal.get("updated_at") if live is not None else None
    if c.action == "update" and not set(c.changed) & kind.secret_fields:
        ledger.touch(desired.address, updated)
    else:
        value = ctx.resolver.resolve(desired.secret).reveal()
        ledger.record(desired.address, value, desired.signal.get("version"), updated)


def apply_plan(
    result: PlanResult,
    api: CircleCI,
    resolver: SecretResolver,
    *,
    ledger: Ledger | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    kinds: dict[str, Kind] = REGISTRY,
) -> list[Outcome]:
    f = result.fetch
    ctx = ApplyContext(
        api=api,
        manifest=f.manifest,
        resolver=resolver,
        org_id=f.org_id,
        store=f.store.copy(),  # what the read learnt, written on by this run alone
        live={r.address: r for r in result.live},
        ledger=ledger,
    )
    # Each kind sees its changes before any is written (one upload for a whole bundle).
    planned: dict[str, list[Change]] = {}
    for c in result.plan.changes:
        planned.setdefault(c.kind, []).append(c)
    for name, changes in planned.items():
        kinds[name].before_writes(ctx, changes)
    outcomes: dict[str, Outcome] = {}
    report_lock = threading.Lock()  # outcomes arrive from worker threads, one line each
    # Once CircleCI refuses the token, every later write would fail the same way: stop.
    refused = threading.Event()

    def report(out: Outcome) -> None:
        if on_outcome is not None:
            with report_lock:
                on_outcome(out)

    def run(c: Change) -> Outcome:
        if refused.is_set():
            out = Outcome(c.address, c.action, "skipped", "CircleCI refused the token")
            report(out)
            return out
        try:
            out = Outcome(c.address, c.action, "done", _execute(kinds[c.kind], ctx, c))
        except AuthError as exc:
            refused.set()
            out = Outcome(c.address, c.action, "failed", str(exc))
        except ReconcilerError as exc:
            out = Outcome(c.address, c.action, "failed", str(exc))
        except Exception as exc:  # a bug must not stop independent changes
            log.debug("%s failed", c.address, exc_info=True)
            out = Outcome(c.address, c.action, "failed", f"{type(exc).__name__}: {exc}")
        report(out)
        return out

    for number, wave in enumerate(result.plan.waves(), 1):
        log.info("wave %d: %d change(s)", number, len(wave))
        ready = []
        for c in wave:
            blocked = [r for r in c.requires if outcomes.get(r) and outcomes[r].status != "done"]
            if blocked:
                out = Outcome(c.address, c.action, "skipped", f"requires {', '.join(blocked)}")
                outcomes[c.address] = out
                report(out)
            else:
                ready.append(c)
        for out in api.map(run, ready):
            outcomes[out.address] = out
    return [outcomes[c.address] for c in result.plan.changes]
