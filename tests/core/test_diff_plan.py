"""The generic diff and the plan's ordering, with a stand-in kind: nothing CircleCI-specific."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from reconciler.core import Kind, Plan, PlanContext, Resource, Scope, SecretVerdict, State
from reconciler.diff import diff
from reconciler.errors import UnsafePlan
from reconciler.plan import check_safety, order


class Box(Kind):
    name = "box"
    set_fields = frozenset({"tags"})
    immutable_fields = frozenset({"shape"})
    ignore_category = "webhooks"

    def desired(self, ctx: Any) -> tuple[list[Resource], list[Scope]]:
        return [], []

    def fetch(self, ctx: Any, parent: Any) -> list[Resource]:
        return []

    def create(self, ctx: Any, desired: Resource) -> Resource:
        return desired

    def delete(self, ctx: Any, live: Resource) -> None:
        return None


class Item(Box):
    name = "item"
    parent_kind = "box"
    secret_fields = frozenset({"value"})
    after_siblings = ("lock",)

    def secret_verdict(self, desired: Resource, live: Resource, ctx: Any) -> SecretVerdict:
        return SecretVerdict(live.signal.get("masked") != "same", "mask differs")


class Lock(Box):
    name = "lock"
    parent_kind = "box"


KINDS: dict[str, Kind] = {"box": Box(), "item": Item(), "lock": Lock()}


def ctx(ignore: list[str] | None = None) -> PlanContext:
    policy = SimpleNamespace(ignore=SimpleNamespace(webhooks=ignore or []))
    return PlanContext(manifest=SimpleNamespace(policy=policy))


def box(name: str, **fields: Any) -> Resource:
    return Resource(kind="box", address=f"box[{name}]", name=name, fields=fields)


def child(kind: str, parent: str, name: str, **kw: Any) -> Resource:
    return Resource(
        kind=kind, address=f"box[{parent}].{kind}[{name}]", name=name, parent=f"box[{parent}]", **kw
    )


def state(*items: Resource, scopes: tuple[Scope, ...] = ()) -> State:
    s = State()
    s.add(items)
    s.scopes.update(scopes)
    return s


def actions(changes: list[Any]) -> dict[str, str]:
    return {c.address: c.action for c in changes}


def test_set_fields_ignore_order_and_unmanaged_keys_are_not_compared() -> None:
    desired = state(box("a", tags=["x", "y"]))
    live = state(box("a", tags=["y", "x"], extra="server-owned"))
    changes, _ = diff(desired, live, KINDS, ctx())
    assert changes == []


def test_update_names_the_changed_fields_and_immutable_means_replace() -> None:
    desired = state(box("a", size=2), box("b", shape="round"))
    live = state(box("a", size=1), box("b", shape="square"))
    changes, _ = diff(desired, live, KINDS, ctx())
    got = {c.address: (c.action, c.changed) for c in changes}
    assert got == {"box[a]": ("update", ["size"]), "box[b]": ("replace", ["shape"])}


def test_protected_object_is_never_replaced() -> None:
    want = box("b", shape="round")
    want.protect = True
    with pytest.raises(UnsafePlan, match="protected"):
        diff(state(want), state(box("b", shape="square")), KINDS, ctx())


def test_only_owned_collections_lose_unlisted_objects() -> None:
    desired = state(box("a"), box("b"), scopes=(Scope("box[a]", "item"),))
    live = state(box("a"), box("b"), child("item", "a", "old"), child("item", "b", "other"))
    changes, _ = diff(desired, live, KINDS, ctx())
    assert actions(changes) == {"box[a].item[old]": "delete"}


def test_scope_globs_limit_deletion_and_ignore_hides_objects() -> None:
    desired = state(scopes=(Scope(None, "box", ("tmp-*",)),))
    live = state(box("tmp-1"), box("keep"), box("tmp-ignored"))
    changes, _ = diff(desired, live, KINDS, ctx(ignore=["*-ignored"]))
    assert actions(changes) == {"box[tmp-1]": "delete"}


def test_secret_verdicts_drive_updates_and_notes_and_values_stay_hidden() -> None:
    want = child("item", "a", "k", secret=object())
    same = child("item", "a", "k", signal={"masked": "same"})
    other = child("item", "a", "k", signal={"masked": "other"})
    assert diff(state(want), state(same), KINDS, ctx())[0] == []
    changes, _ = diff(state(want), state(other), KINDS, ctx())
    assert [c.changed for c in changes] == [["value"]]
    assert changes[0].after == {"value": "(sensitive)"}


def test_children_of_a_deleted_parent_are_folded_into_it() -> None:
    desired = state(scopes=(Scope(None, "box"),))
    live = state(box("a"), child("item", "a", "k"))
    changes, _ = diff(desired, live, KINDS, ctx())
    assert actions(changes) == {"box[a]": "delete"}


def test_waves_create_parents_first_siblings_first_and_delete_last() -> None:
    desired = state(
        box("new"),
        child("item", "new", "secret", secret=object()),
        child("lock", "new", "l1"),
        scopes=(Scope("box[old]", "item"),),
    )
    live = state(box("old"), child("item", "old", "gone"))
    changes, _ = diff(desired, live, KINDS, ctx())
    ordered = order(changes, KINDS)
    waves = {c.address: c.wave for c in ordered}
    assert waves["box[new]"] < waves["box[new].lock[l1]"] < waves["box[new].item[secret]"]
    assert waves["box[old].item[gone]"] > waves["box[new].item[secret]"]
    item = next(c for c in ordered if c.address == "box[new].item[secret]")
    assert item.requires == ["box[new]", "box[new].lock[l1]"]


def _plan(n_delete: int, n_update: int, managed: int) -> Plan:
    changes = [
        *[
            diff(state(scopes=(Scope(None, "box"),)), state(box(f"d{i}")), KINDS, ctx())[0][0]
            for i in range(n_delete)
        ],
        *[
            diff(state(box(f"u{i}", v=1)), state(box(f"u{i}", v=2)), KINDS, ctx())[0][0]
            for i in range(n_update)
        ],
    ]
    return Plan("gh/acme", changes, "sha256:x", managed=managed)


def test_safety_thresholds() -> None:
    check_safety(_plan(2, 0, 10), max_deletes=2)
    with pytest.raises(UnsafePlan, match="--allow-deletes"):
        check_safety(_plan(3, 0, 10), max_deletes=2)
    check_safety(_plan(3, 0, 10), max_deletes=2, allow_deletes=True)
    with pytest.raises(UnsafePlan, match="--force"):
        check_safety(_plan(0, 6, 10), max_deletes=10)
    check_safety(_plan(0, 6, 10), max_deletes=10, force=True)
    check_safety(_plan(0, 5, 10), max_deletes=10)


def test_checksum_moves_with_any_live_change() -> None:
    a = state(box("a", size=1))
    b = state(box("a", size=2))
    assert a.checksum() == state(box("a", size=1)).checksum()
    assert a.checksum() != b.checksum()


def test_children_of_a_replaced_parent_are_made_again_on_the_new_one() -> None:
    desired = state(
        box("b", shape="round"),
        child("lock", "b", "same"),
        child("lock", "b", "edited", fields={"note": "new"}),
        child("lock", "b", "new"),
    )
    live = state(
        box("b", shape="square"),
        child("lock", "b", "same"),
        child("lock", "b", "edited", fields={"note": "old"}),
    )
    changes = order(diff(desired, live, KINDS, ctx())[0], KINDS)
    got = {c.address: (c.action, c.cause.value) for c in changes}
    assert got == {
        "box[b]": ("replace", "no_update_route"),
        "box[b].lock[same]": ("replace", "parent_replaced"),
        "box[b].lock[edited]": ("replace", "parent_replaced"),
        "box[b].lock[new]": ("create", "absent"),
    }
    assert all(c.requires == ["box[b]"] for c in changes if c.parent == "box[b]")


def test_deletes_after_waits_for_creates_of_other_kinds_under_the_same_parent() -> None:
    class Old(Box):
        name = "old"
        parent_kind = "box"
        deletes_after = ("item",)

    kinds: dict[str, Kind] = {**KINDS, "old": Old()}
    desired = state(
        box("a"),
        box("b"),
        child("item", "a", "new"),
        child("item", "b", "new"),
        scopes=(Scope("box[a]", "old"), Scope("box[b]", "old")),
    )
    live = state(box("a"), box("b"), child("old", "a", "gone"))
    changes = order(diff(desired, live, kinds, ctx())[0], kinds)
    by = {c.address: c for c in changes}
    # Only the create under its own parent holds it back; it runs in a later wave.
    assert by["box[a].old[gone]"].requires == ["box[a].item[new]"]
    assert by["box[a].old[gone]"].wave > by["box[a].item[new]"].wave
