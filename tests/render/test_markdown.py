"""The PR comment parses as GitHub-flavoured Markdown, shows values literally, stays in size."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reconciler.render.markdown import CELL_LIMIT, render_markdown
from reconciler.render.mdutil import COMMENT_LIMIT, size
from reconciler.render.values import clean, clip, compact
from tests.render.sample import PIPE_HTML, big_plan, empty_plan, full_plan

# linkify needs linkify-it-py, which is not installed; it only turns bare URLs into links.
MD = MarkdownIt("gfm-like", {"linkify": False})


def _tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Every table as rows of cells; a cell is its decoded text without inline HTML tags."""
    tables: list[list[list[str]]] = []
    row: list[str] = []
    for i, t in enumerate(tokens):
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            row = []
        elif t.type in ("td_open", "th_open"):
            inline = tokens[i + 1]
            children = inline.children or []
            row.append("".join(c.content for c in children if c.type != "html_inline"))
        elif t.type == "tr_close":
            tables[-1].append(row)
    return tables


def _field_tables(plan: dict[str, Any]) -> list[list[list[str]]]:
    return [
        t for t in _tables(MD.parse(render_markdown(plan))) if t[0] == ["Field", "Before", "After"]
    ]


def test_marker_is_first_line_and_names_the_organization() -> None:
    first = render_markdown(full_plan()).split("\n", 1)[0]
    assert first == "<!-- circleci-reconciler:plan organization=gh/acme -->"


def test_marker_cannot_close_the_comment_early() -> None:
    plan = empty_plan()
    plan["organization"] = "gh/x --> <b>y</b>"
    first = render_markdown(plan).split("\n", 1)[0]
    assert first.startswith("<!--") and first.endswith(" -->") and first.count("-->") == 1


def test_full_plan_renders_summary_details_and_field_tables() -> None:
    plan = full_plan()
    html = MD.render(render_markdown(plan))
    tables = _tables(MD.parse(render_markdown(plan)))
    summary = tables[0]
    assert summary == [
        ["Action", "Count"],
        ["+ create", "9"],
        ["~ update", "7"],
        ["-/+ replace", "3"],
        ["- delete", "4"],
    ]
    # one per change, and one for the note about three objects
    assert html.count("<details>") == html.count("</details>") == len(plan["changes"]) + 1
    assert html.count("<summary>") == len(plan["changes"]) + 1
    fields = _field_tables(plan)
    assert len(fields) == len([c for c in plan["changes"] if _row_count(c)])
    assert all(len(row) == 3 for t in fields for row in t)
    items = len(plan["refusals"]) + len(plan["notes"]) + len(plan["object_notes"])
    assert "<h3>Notes</h3>" in html and html.count("<li>") == items


def _row_count(change: dict[str, Any]) -> int:
    from reconciler.render.fields import rows

    return len(rows(change))


def test_values_with_pipes_html_and_backticks_show_literally() -> None:
    plan = full_plan()
    html = MD.render(render_markdown(plan))
    assert "<script>" not in html and "<b>no</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    cells = [cell for t in _field_tables(plan) for row in t for cell in row]
    assert compact(PIPE_HTML) in cells  # one cell, not split at its pipes
    assert "<em>" not in html and "<del>" not in html  # *bold* and friends stay text


def test_long_values_are_clipped_in_cells() -> None:
    plan = full_plan()
    cells = [cell for t in _field_tables(plan) for row in t for cell in row]
    long_desc = compact(plan["changes"][4]["after"]["description"])
    assert clip(long_desc, CELL_LIMIT) in cells
    assert "more characters)" in clip(long_desc, CELL_LIMIT)


def test_unicode_passes_through() -> None:
    out = render_markdown(full_plan())
    assert "nächtlich — 夜間" in out and "Ünïcödé ✓ 日本語 🚀" in out


def test_empty_plan_is_friendly_and_has_no_table() -> None:
    out = render_markdown(empty_plan())
    assert "No changes. CircleCI matches the manifest." in out
    assert "<table>" not in MD.render(out) and "<details>" not in out


def test_empty_plan_still_lists_notes() -> None:
    html = MD.render(render_markdown(empty_plan(["context[a].env_var[B]: value not compared"])))
    assert "<li>context[a].env_var[B]: value not compared</li>" in html


# Any text at all, surrogates aside (JSON and YAML text cannot hold them unpaired).
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=150, deadline=None)
@given(value=_TEXT, name=_TEXT, reason=_TEXT)
def test_any_text_survives_markdown_literally(value: str, name: str, reason: str) -> None:
    assume(name != "description")  # the field the table's first row is about
    plan = empty_plan()
    plan["changes"] = [
        {
            "address": f"project[gh/acme/api].env_var[{name}]",
            "kind": "schedule",
            "action": "update",
            "reason": reason,
            "before": {"description": value, name or "n": [value]},
            "after": {"description": value + "!", name or "n": [value, value]},
            "changed_fields": ["description", name or "n"],
            "requires": [],
            "wave": 0,
        }
    ]
    out = render_markdown(plan)
    tokens = MD.parse(out)
    (table,) = _field_tables(plan)
    assert table[1] == [
        "description",
        clip(compact(value), CELL_LIMIT),
        clip(compact(value + "!"), CELL_LIMIT),
    ]
    assert len(table) == 3 and all(len(r) == 3 for r in table)
    assert table[2][0] == clean(name or "n")
    summary = next(t.content for t in tokens if t.content.startswith("<details>"))
    address = re.findall(r"<code>(.*?)</code>", summary)[1]
    assert "<" not in address and unescape(address) == clean(plan["changes"][0]["address"])
    # the marker, <details><summary>, </details>: nothing in the values opened another block
    assert [t.type for t in tokens].count("html_block") == 3
    rendered = MD.render(out)
    assert rendered.count("<code>") == rendered.count("</code>")


def _omitted(out: str, what: str) -> tuple[int, int]:
    m = re.search(rf"_(\d+) of (\d+) {what} are not shown here", out)
    assert m, f"no omission notice for {what}"
    return int(m.group(1)), int(m.group(2))


def test_five_thousand_changes_stay_under_the_comment_limit() -> None:
    plan = big_plan(5000, notes=5000)
    out = render_markdown(plan)
    assert len(out) < COMMENT_LIMIT and size(out) <= COMMENT_LIMIT
    shown = out.count("<details>")
    left, total = _omitted(out, "changes")
    assert total == 5000 and shown + left == 5000 and shown > 50
    notes_left, notes_total = _omitted(out, "notes")
    shown_notes = len(re.findall(r"^- ", out, re.M))
    assert notes_total == 5000 and shown_notes + notes_left == 5000 and shown_notes > 0
    html = MD.render(out)
    assert html.count("<details>") == html.count("</details>") == shown
    # what is shown is the head of the plan, in apply order
    assert "schedule&#91;s00000]" in out and f"schedule&#91;s{shown - 1:05d}]" in out
    assert f"schedule&#91;s{shown:05d}]" not in out


def test_a_plan_that_fits_is_not_truncated() -> None:
    out = render_markdown(big_plan(40, notes=40))
    assert "not shown here" not in out and out.count("<details>") == 40


@pytest.mark.parametrize("limit", [3_000, 10_000, 30_000])
def test_any_limit_is_honoured(limit: int) -> None:
    out = render_markdown(big_plan(300, notes=300), limit=limit)
    assert size(out) <= limit
    left, _ = _omitted(out, "changes")
    assert out.count("<details>") + left == 300


def test_a_single_change_too_big_to_show_is_counted_not_cut() -> None:
    plan = big_plan(1)
    plan["changes"][0]["after"] = {f"field_{i}": "v" * 200 for i in range(400)}
    out = render_markdown(plan)
    assert size(out) <= COMMENT_LIMIT and "<details>" not in out
    assert _omitted(out, "changes") == (1, 1)
