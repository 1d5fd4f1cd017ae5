"""Kind-neutral hooks the engine offers: a kind sees every change of its kind before apply's
first write (one upload for a whole collection), and a collection a kind records as refused
becomes one plan note while the plan goes on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from reconciler.apply import apply_plan
from reconciler.client import CircleCI
from reconciler.core import (
    ApplyContext,
    Change,
    FetchContext,
    Kind,
    Plan,
    PlanContext,
    Reason,
    Resource,
    Scope,
    State,
)
from reconciler.engine import PlanResult, make_plan
from reconciler.manifest import Manifest, SecretResolver

T = TypeVar("T")
R = TypeVar("R")


class FakeApi:
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(i) for i in items]

    def get_organization(self, slug: str) -> dict[str, Any]:
        return {"id": "o1", "slug": slug}


class Batched(Kind):
    name = "batched"
    label = "batched"

    def __init__(self) -> None:
        self.seen: list[list[str]] = []
        self.writes: list[str] = []

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        return [], []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        ctx.unreadable[(None, self.name)] = "CircleCI answered 403: not for this plan"
        return []

    def before_writes(self, ctx: ApplyContext, changes: list[Change]) -> None:
        self.seen.append([c.address for c in changes])

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        self.writes.append(desired.address)
        return desired

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        self.writes.append(live.address)


def manifest() -> Manifest:
    return Manifest.model_construct(version=1, organization="gh/acme", projects={}, contexts={})


def test_apply_shows_a_kind_all_its_changes_once_before_the_first_write() -> None:
    kind = Batched()
    made = [Resource(kind="batched", address=f"batched[{n}]", name=n) for n in "ab"]
    changes = [Change.make("create", kind, r, None, [], "new", Reason.ABSENT) for r in made]
    gone = Resource(kind="batched", address="batched[c]", name="c")
    changes.append(Change.make("delete", kind, None, gone, [], "gone", Reason.NOT_DECLARED))
    changes[-1].wave = 1
    api = cast(CircleCI, FakeApi())
    fetch = FetchContext(api=api, manifest=manifest())
    result = PlanResult(
        plan=Plan(organization="gh/acme", changes=changes, checksum=""),
        desired=State(),
        live=State(),
        fetch=fetch,
    )
    outcomes = apply_plan(result, api, cast(SecretResolver, None), kinds={"batched": kind})
    assert [o.status for o in outcomes] == ["done"] * 3
    assert kind.seen == [["batched[a]", "batched[b]", "batched[c]"]]
    assert kind.writes == ["batched[a]", "batched[b]", "batched[c]"]


def test_a_collection_a_kind_records_as_refused_is_one_plan_note() -> None:
    api = cast(CircleCI, FakeApi())
    result = make_plan(manifest(), api, kinds={"batched": Batched()})
    assert result.plan.empty
    assert result.plan.notes == [
        "gh/acme: batched not read: CircleCI answered 403: not for this plan"
    ]
