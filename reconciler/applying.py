"""Apply's flow: a saved plan or a fresh one, under the safety rules, recording the ledger,
all under the run lock. The command only parses, lends an Operator (what it shows and asks)
and turns the report into an exit code."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from reconciler.apply import Outcome, apply_plan
from reconciler.client.api import CircleCI
from reconciler.core import Plan
from reconciler.engine import Progress, make_plan
from reconciler.ledger import Ledger
from reconciler.manifest import Manifest, SecretResolver
from reconciler.plan import check_safety
from reconciler.runlock import apply_lock
from reconciler.savedplan import check_present, load_saved, verify_saved


@dataclass
class Session:
    """The loaded manifest (every secret resolved), the API and the ledger, if any."""

    manifest: Manifest
    resolver: SecretResolver
    api: CircleCI
    ledger: Ledger | None


@dataclass
class ApplyRequest:
    """What the command was asked: manifest paths, or a saved plan that names them."""

    paths: tuple[Path, ...] = ()
    plan_file: Path | None = None
    targets: tuple[str, ...] = ()
    rewrite_secrets: bool = False
    allow_deletes: bool = False
    force: bool = False


class Operator(Protocol):
    """What the command lends the flow: the session it opens and what it shows and asks."""

    def open(self, paths: tuple[Path, ...]) -> Session:
        """Load the manifest at `paths` and open the API (checks that need no read first)."""

    def reading(self) -> AbstractContextManager[Progress | None]:
        """Around the live read: progress, if shown."""

    def show(self, plan: Plan) -> None:
        """The plan, before anything is written."""

    def approve(self, plan: Plan) -> None:
        """Raise to stop before the first write."""

    def report(self, outcome: Outcome) -> None:
        """One change's outcome, as it arrives (from worker threads, one at a time)."""


@dataclass
class ApplyReport:
    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def complete(self) -> bool:
        return not (self.count("failed") or self.count("skipped"))


def apply_manifest(request: ApplyRequest, operator: Operator) -> ApplyReport:
    """Plan (or re-plan a saved plan, refused when anything moved since), show it, check the
    safety rules, ask, then apply and save the ledger, holding the run lock from the read to
    the last write: two applies planning at once would duplicate objects."""
    saved = load_saved(request.plan_file) if request.plan_file else None
    paths, targets = request.paths, list(request.targets)
    rewrite_secrets = request.rewrite_secrets
    if saved is not None:
        check_present(saved)
        paths, targets, rewrite_secrets = saved.paths, saved.targets, saved.rewrite_secrets
    session = operator.open(paths)
    manifest, book = session.manifest, session.ledger
    locked = [Path(f) for f in manifest.files] + ([book.path] if book is not None else [])
    with apply_lock(locked):
        if book is not None:  # read again under the lock: a run that just ended saved it
            book = Ledger.open(book.path)
        with operator.reading() as progress:
            result = make_plan(
                manifest,
                session.api,
                resolver=session.resolver,
                ledger=book,
                targets=targets,
                progress=progress,
                rewrite_secrets=rewrite_secrets,
            )
        if saved is not None:
            verify_saved(saved, result.plan, manifest.files)
        operator.show(result.plan)
        if result.plan.empty:
            return ApplyReport(result.plan)
        check_safety(
            result.plan,
            max_deletes=manifest.policy.max_deletes,
            allow_deletes=request.allow_deletes,
            force=request.force,
        )
        if book is not None:
            book.check_writable()
        operator.approve(result.plan)
        try:
            outcomes = apply_plan(
                result, session.api, session.resolver, ledger=book, on_outcome=operator.report
            )
        finally:
            if book is not None:
                book.save()
    return ApplyReport(result.plan, outcomes)
