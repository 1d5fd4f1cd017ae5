"""Each format of a plan covering every kind and action, and of an empty plan, byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reconciler.render import RENDERERS, render
from reconciler.render.symbols import ACTIONS
from tests.render.goldens import GOLDEN, check_golden
from tests.render.sample import empty_plan, full_plan
from tests.support.kinds import CONTRACT_KINDS

PLANS: dict[str, Callable[[], dict[str, Any]]] = {"full": full_plan, "empty": empty_plan}
OUTPUTS = {"txt": ("text", False), "color.txt": ("text", True), "md": ("markdown", False)}
OUTPUTS["json"] = ("json", False)
KINDS = CONTRACT_KINDS


@pytest.mark.parametrize("plan", sorted(PLANS))
@pytest.mark.parametrize("suffix", sorted(OUTPUTS))
def test_matches_golden(plan: str, suffix: str) -> None:
    fmt, color = OUTPUTS[suffix]
    check_golden(f"{plan}.{suffix}", render(PLANS[plan](), fmt, color=color))


def test_no_stale_golden_files() -> None:
    expected = {f"{p}.{s}" for p in PLANS for s in OUTPUTS}
    assert {p.name for p in GOLDEN.iterdir()} == expected


def test_full_plan_covers_every_kind_and_action() -> None:
    changes = full_plan()["changes"]
    assert {c["kind"] for c in changes} == KINDS
    assert {c["action"] for c in changes} == set(ACTIONS)


def test_registry_and_dispatch() -> None:
    assert sorted(RENDERERS) == ["json", "markdown", "text"]
    plan = full_plan()
    for fmt, fn in RENDERERS.items():
        assert render(plan, fmt) == fn(plan)


def test_unknown_format_is_a_clean_error() -> None:
    from reconciler.errors import ReconcilerError

    with pytest.raises(ReconcilerError, match="unknown format 'yaml'"):
        render(full_plan(), "yaml")
