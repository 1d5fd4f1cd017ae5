"""Notes repeated per secret are one line per typed cause; apply's guard comes first."""

from __future__ import annotations

from reconciler.render.drift import render_drift_text
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from tests.render.sample import empty_plan, unseen

NEVER = "CircleCI never returns this value"


def _plan() -> dict:
    plan = empty_plan()
    plan["refusals"] = ["the plan deletes 12 objects, more than policy.max_deletes (10)"]
    plan["object_notes"] = [unseen(f"context[c].env_var[V{i}]", NEVER) for i in range(5)] + [
        unseen("project[gh/a/b].env_var[X]", "CircleCI shows only its last 4 characters"),
        {"address": "context[x]", "cause": "ignored", "note": NEVER},
    ]
    return plan


def test_text_groups_notes_by_cause_with_a_count_and_puts_the_guard_first() -> None:
    out = render_text(_plan())
    assert out.splitlines()[3:6] == [
        "Apply will refuse this plan unless told:",
        "  ! the plan deletes 12 objects, more than policy.max_deletes (10)",
        "",
    ]
    assert out.split("Notes:\n")[1].split("\n\n")[0].splitlines() == [
        f"  - value not compared: {NEVER}: 5 objects (context[c].env_var[V0], "
        "context[c].env_var[V1], context[c].env_var[V2] and 2 more; --format json)",
        "  - project[gh/a/b].env_var[X]: value not compared: CircleCI shows only its last 4 "
        "characters",
        f"  - context[x]: {NEVER}",  # the same words with another cause stay apart
    ]
    # the headline counts the values by their cause, not by their words
    assert "but 6 secret values could not be compared" in out


def test_markdown_collapses_the_addresses_and_puts_the_guard_first() -> None:
    out = render_markdown(_plan())
    lines = out.splitlines()
    assert lines[3] == "**⛔ Apply will refuse this plan unless told:**"
    assert f"<details><summary>value not compared: {NEVER}: 5 objects</summary>" in out
    assert "- <code>context&#91;c].env_var&#91;V4]</code>" in out


def test_drift_text_groups_the_same_way() -> None:
    report = {"organization": "gh/acme", "objects": [], "summary": {}, "in_sync": True}
    report["object_notes"] = _plan()["object_notes"]
    assert f"value not compared: {NEVER}: 5 objects" in render_drift_text(report)
