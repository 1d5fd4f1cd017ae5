"""Every planned change carries a typed reason, decided from structure, never from words."""

from __future__ import annotations

from typing import Any

from reconciler.core import Reason, Resource, Scope, SecretVerdict
from reconciler.diff import diff
from tests.core.test_diff_plan import KINDS, Box, Item, box, child, ctx, state


class Versioned(Item):
    """An item whose secret verdict says a version was bumped."""

    def secret_verdict(self, desired: Resource, live: Resource, ctx: Any) -> SecretVerdict:
        return SecretVerdict(True, "version bumped to 2", Reason.VERSION_BUMPED)


def causes(desired: Any, live: Any, kinds: Any = KINDS) -> dict[str, Reason]:
    changes, _ = diff(desired, live, kinds, ctx())
    return {c.address: c.cause for c in changes}


def test_create_update_replace_and_delete_each_say_why() -> None:
    desired = state(
        box("new"),
        box("tagged", tags=["x"]),
        box("reshaped", shape="round"),
        scopes=(Scope(None, "box"),),
    )
    live = state(box("tagged", tags=["y"]), box("reshaped", shape="square"), box("old"))
    assert causes(desired, live) == {
        "box[new]": Reason.ABSENT,
        "box[tagged]": Reason.FIELDS_DIFFER,
        "box[reshaped]": Reason.NO_UPDATE_ROUTE,
        "box[old]": Reason.NOT_DECLARED,
    }


def test_a_secret_alone_gives_its_verdicts_reason_and_fields_win_over_it() -> None:
    kinds = {**KINDS, "item": Versioned()}
    secret: Any = object()  # a stand-in reference: the stand-in kind never resolves it
    only_secret = child("item", "b", "s", secret=secret)
    with_fields = child("item", "b", "f", secret=secret, fields={"note": "new"})
    desired = state(box("b"), only_secret, with_fields)
    live = state(
        box("b"),
        child("item", "b", "s"),
        child("item", "b", "f", fields={"note": "old"}),
    )
    assert causes(desired, live, kinds) == {
        only_secret.address: Reason.VERSION_BUMPED,
        with_fields.address: Reason.FIELDS_DIFFER,
    }


def test_rewrite_on_request_says_so() -> None:
    class Unknowable(Box):
        name = "item"
        parent_kind = "box"
        secret_fields = frozenset({"value"})

    plan_ctx = ctx()
    plan_ctx.rewrite_secrets = True
    secret: Any = object()
    desired = state(box("b"), child("item", "b", "s", secret=secret))
    live = state(box("b"), child("item", "b", "s"))
    changes, _ = diff(desired, live, {**KINDS, "item": Unknowable()}, plan_ctx)
    assert [c.cause for c in changes] == [Reason.REWRITE_REQUESTED]
