"""Terminal report: order, fields per action, summary line, colour, nothing a terminal acts on."""

from __future__ import annotations

import copy
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.render.symbols import strip_ansi
from reconciler.render.text import render_text
from tests.render.sample import LONG, big_plan, empty_plan, full_plan

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


def _titles(out: str) -> list[tuple[str, str]]:
    """(symbol, address) of each change title, read from the changes section only."""
    changes = out.split("Changes, in the order they will be applied:")[1].split("\nNotes:")[0]
    return re.findall(r"^  ( {0,2}[+~-]|-/\+) (.+)$", changes, re.M)


def test_changes_appear_in_plan_order_with_their_symbols() -> None:
    plan = full_plan()
    want = {"create": "  +", "update": "  ~", "replace": "-/+", "delete": "  -"}
    assert _titles(render_text(plan)) == [
        (want[c["action"]], c["address"]) for c in plan["changes"]
    ]


def test_summary_line_and_empty_plan_line() -> None:
    assert render_text(full_plan()).endswith(
        "\nPlan: 9 to create, 7 to update, 3 to replace, 4 to delete.\n"
    )
    assert render_text(empty_plan()).endswith("\nNo changes. CircleCI matches the manifest.\n")
    assert "Plan:" not in render_text(empty_plan())


def test_summary_is_counted_from_changes_when_the_dict_has_none() -> None:
    plan = full_plan()
    del plan["summary"]
    assert "Plan: 9 to create, 7 to update, 3 to replace, 4 to delete." in render_text(plan)


def test_update_shows_only_changed_fields_as_before_arrow_after() -> None:
    out = render_text(full_plan())
    block = out.split("~ project[gh/acme/api].settings\n")[1].split("\n\n")[0]
    assert block.split("\n")[1:] == [
        "      build_fork_prs:           true -> false",
        '      pr_only_branch_overrides: ["main"] -> ["develop", "main"]',
    ]
    # attribution_actor is the same on both sides, so the schedule update leaves it out
    nightly = out.split("schedule[nightly]\n")[1].split("\n\n")[0]
    assert "attribution_actor" not in nightly and LONG in nightly


def test_long_values_go_on_an_aligned_line() -> None:
    out = render_text(full_plan())
    lines = out.split("\n")
    i = next(n for n, ln in enumerate(lines) if ln.startswith("      description: "))
    assert lines[i + 1].index("-> ") + 3 == lines[i].index('"Nightly build"')


def test_create_shows_every_field_and_delete_a_short_identification() -> None:
    out = render_text(full_plan())
    created = out.split("schedule[nächtlich — 夜間]\n")[1].split("\n\n")[0].split("\n")[1:]
    assert [ln.split(":")[0].strip() for ln in created] == [
        "attribution_actor",
        "description",
        "parameters",
        "timetable",
    ]
    legacy = out.split("- project[gh/acme/api].webhook[legacy]\n")[1].split("\n\n")[0]
    assert legacy.split("\n")[1:] == [
        '      url:        "https://old.example.com/hook?a=1&b=<2>"',
        "      verify_tls: true",
    ]


def test_notes_come_before_the_summary() -> None:
    out = render_text(empty_plan(["context[a].env_var[B]: value not compared"]))
    assert out.index("Notes:\n  - context[a].env_var[B]: value not compared") < out.index(
        "No changes."
    )


def test_colour_is_only_added() -> None:
    for plan in (full_plan(), empty_plan(["n"]), big_plan(3)):
        plain, coloured = render_text(plan), render_text(plan, color=True)
        assert "\x1b" not in plain
        assert strip_ansi(coloured) == plain
    coloured = render_text(full_plan(), color=True)
    for code, address in [("32", "+ context[aws-staging]"), ("33", "~ project[gh/acme/api]")]:
        assert f"\x1b[{code}m    {address}" in coloured
    assert "\x1b[35m  -/+ context[aws-prod]" in coloured
    assert "\x1b[31m    - context[old-ci]\x1b[0m" in coloured


def _lines(out: str) -> int:
    """Lines, not counting the `-> after` continuation of a wide update."""
    return len([ln for ln in out.split("\n") if not re.match(r"^ +-> ", ln)])


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch != "\n" or ch == "\u202e"


@settings(max_examples=150, deadline=None)
@given(value=_TEXT, name=_TEXT, note=_TEXT, org=_TEXT)
def test_nothing_from_the_plan_can_drive_the_terminal(
    value: str, name: str, note: str, org: str
) -> None:
    plan = copy.deepcopy(full_plan())
    plan["organization"] = org
    plan["notes"].append(note)
    c = plan["changes"][4]
    c["address"] = f"project[gh/acme/api].schedule[{name}]"
    c["reason"] = "r" + value
    c["after"]["description"] = value
    c["after"]["x" + name] = value
    c["changed_fields"].append("x" + name)
    out = render_text(plan)
    assert not any(_unsafe(ch) for ch in out)
    # one more note and one more field: no value added a line of its own
    assert _lines(out) == _lines(render_text(full_plan())) + 2
    coloured = render_text(plan, color=True)
    assert strip_ansi(coloured) == out


def test_the_unsafe_character_class_is_exactly_the_unicode_categories() -> None:
    from reconciler.render.values import _UNSAFE
    from reconciler.render.values import _unsafe as unsafe

    for code in range(0x10000):
        ch = chr(code)
        assert (_UNSAFE.match(ch) is not None) == unsafe(ch), hex(code)


def test_identical_notes_about_many_objects_are_one_line() -> None:
    many = [f"project[gh/acme/p{i}].env_var[V]: value not compared: no signal" for i in range(50)]
    few = ["context[a\\]: b].env_var[X]: value not compared: other", "plain note without address"]
    out = render_text(empty_plan(many + few))
    notes = out.split("Notes:\n")[1].split("\n\n")[0].splitlines()
    assert notes == [
        "  - value not compared: no signal: 50 objects (project[gh/acme/p0].env_var[V], "
        "project[gh/acme/p1].env_var[V], project[gh/acme/p2].env_var[V] and 47 more; "
        "--format json)",
        "  - context[a\\]: b].env_var[X]: value not compared: other",
        "  - plain note without address",
    ]
