"""JSON report: round-trips, fixed key order, trailing newline, escapes what a terminal acts on."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.render.json import CHANGE_KEYS, TOP_KEYS, render_json
from tests.render.sample import empty_plan, full_plan


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def test_round_trips() -> None:
    for plan in (full_plan(), empty_plan(["a note"])):
        assert json.loads(render_json(plan)) == plan


def test_indent_two_and_trailing_newline() -> None:
    out = render_json(full_plan())
    assert out.endswith("}\n") and not out.endswith("\n\n")
    assert out.split("\n")[1] == '  "format_version": 1,'


def test_key_order_is_fixed_whatever_order_the_dict_was_built_in() -> None:
    plan = full_plan()
    out = render_json(plan)
    for seed in range(5):
        assert render_json(_shuffled(plan, random.Random(seed))) == out
    doc = json.loads(out)
    assert list(doc) == list(TOP_KEYS)
    assert list(doc["summary"]) == ["create", "update", "replace", "delete"]
    for c in doc["changes"]:
        assert list(c) == [k for k in CHANGE_KEYS if k in c]
        for side in (c["before"], c["after"]):
            assert side is None or list(side) == sorted(side)


def test_unknown_keys_are_kept_after_the_known_ones() -> None:
    plan = full_plan()
    plan["zeta"], plan["alpha"] = 1, 2
    plan["changes"][0]["extra"] = True
    doc = json.loads(render_json(plan))
    assert list(doc) == [*TOP_KEYS, "alpha", "zeta"]
    assert list(doc["changes"][0])[-1] == "extra"


def test_unicode_stays_readable() -> None:
    assert "nächtlich — 夜間" in render_json(full_plan())


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_reason_round_trips_and_stays_on_one_line(reason: str) -> None:
    plan = full_plan()
    plan["changes"][0]["reason"] = reason
    out = render_json(plan)
    assert json.loads(out)["changes"][0]["reason"] == reason
    assert out.count("\n") == render_json(full_plan()).count("\n")
    assert "\x1b" not in out and "\u202e" not in out and "\x85" not in out
