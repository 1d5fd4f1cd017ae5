"""The Markdown form parses as GitHub-flavoured Markdown with real tables, shows values
literally and stays within GitHub's comment size."""

from __future__ import annotations

from html import unescape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from reconciler.render.drift import render_drift
from reconciler.render.drift_markdown import render_drift_markdown
from reconciler.render.mdutil import COMMENT_LIMIT, size
from tests.render.drift.sample import HTML, clean_report, full_report

MD = MarkdownIt("gfm-like", {"linkify": False})  # linkify needs a package not installed


def _tables(md: str) -> list[list[list[str]]]:
    """Every table as rows of cells; a cell is its text without inline HTML tags."""
    tokens: list[Token] = MD.parse(md)
    tables: list[list[list[str]]] = []
    row: list[str] = []
    for i, t in enumerate(tokens):
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            row = []
        elif t.type in ("td_open", "th_open"):
            children = tokens[i + 1].children or []
            row.append("".join(c.content for c in children if c.type != "html_inline"))
        elif t.type == "tr_close":
            tables[-1].append(row)
    return tables


def test_marker_first_line() -> None:
    first = render_drift(full_report(), "markdown").split("\n", 1)[0]
    assert first == "<!-- circleci-reconciler:drift organization=gh/acme -->"


def test_marker_cannot_close_the_comment_early() -> None:
    report = clean_report()
    report["organization"] = "gh/x --> <b>y</b>"
    first = render_drift(report, "markdown").split("\n", 1)[0]
    assert first.startswith("<!--") and first.endswith(" -->") and first.count("-->") == 1


def test_summary_objects_and_field_tables() -> None:
    report = full_report()
    md = render_drift(report, "markdown")
    summary, objects, *fields = _tables(md)
    n = report["summary"]
    assert summary[0] == ["Status", "Count"]
    assert {r[0].split(" ")[-1]: int(r[1]) for r in summary[1:]} == n
    drifted = [o for o in report["objects"] if o["status"] != "ok"]
    assert objects[0] == ["Address", "Status", "Detail"]
    assert [r[0] for r in objects[1:]] == [o["address"] for o in drifted]
    assert [r[1].split(" ")[-1] for r in objects[1:]] == [o["status"] for o in drifted]
    assert [r[2] for r in objects[1:]] == [o["detail"] for o in drifted]
    with_fields = [o for o in report["objects"] if o.get("fields")]
    assert len(fields) == len(with_fields)
    for table, obj in zip(fields, with_fields, strict=True):
        assert table[0] == ["Field", "Manifest", "Live"]
        assert [r[0] for r in table[1:]] == [f["field"] for f in obj["fields"]]
    html = MD.render(md)
    assert html.count("<details>") == html.count("</details>") == len(with_fields)
    assert "<h3>Notes</h3>" in html and html.count("<li>") == len(report["notes"])


def test_values_show_literally_and_inject_nothing() -> None:
    md = render_drift(full_report(), "markdown")
    html = MD.render(md)
    assert "<script>" not in html and "<b>" not in html
    cells = [c for t in _tables(md) for row in t for c in row]
    assert any(unescape(c) == '"' + HTML.replace('"', '\\"') + '"' for c in cells)
    assert "context[scratch <b>|x|</b>]" in [unescape(c) for c in cells]
    assert "@team" not in md and "&#35;12" in md  # no mention, no issue link


def test_in_sync_says_so() -> None:
    md = render_drift(clean_report(), "markdown")
    assert "No drift: CircleCI matches the manifest." in md
    assert len(_tables(md)) == 1  # the summary only


def test_a_huge_report_stays_within_githubs_limit() -> None:
    report: dict[str, Any] = full_report()
    base = report["objects"]
    report["objects"] = [
        {**o, "address": f"{o['address']}#{i}"}
        for i in range(400)
        for o in base
        if o["status"] != "ok"
    ]
    report["notes"] = [f"note {i} " + "x" * 300 for i in range(200)]
    md = render_drift_markdown(report)
    assert size(md) <= COMMENT_LIMIT
    assert "not shown here" in md
    assert MD.render(md).count("<details>") == MD.render(md).count("</details>")
