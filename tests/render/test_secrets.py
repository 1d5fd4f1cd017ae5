"""No report can show a secret, and every sensitive field says (sensitive)."""

from __future__ import annotations

import json
from html import unescape
from typing import Any

import pytest
from markdown_it import MarkdownIt

from reconciler.core import SENSITIVE
from reconciler.render import render
from reconciler.render.fields import rows
from reconciler.render.text import INDENT
from tests.render.sample import full_plan, with_secret

PLANTED = "PLANTED-s3cr3t-9f8e7d6c"
FORMATS = [("text", False), ("text", True), ("markdown", False), ("json", False)]


def _sensitive_rows(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(address, field, action) of every shown field that is sensitive."""
    return [
        (c["address"], r.name, c["action"])
        for c in plan["changes"]
        for r in rows(c)
        if r.name in c.get("sensitive_fields", [])
    ]


@pytest.mark.parametrize(("fmt", "color"), FORMATS)
def test_a_string_absent_from_the_plan_is_absent_from_the_report(fmt: str, color: bool) -> None:
    plan = full_plan()
    assert PLANTED not in json.dumps(plan)
    assert PLANTED not in render(plan, fmt, color=color)


@pytest.mark.parametrize(("fmt", "color"), FORMATS)
def test_a_value_in_a_sensitive_field_never_reaches_the_report(fmt: str, color: bool) -> None:
    plan = with_secret(full_plan(), PLANTED)
    assert PLANTED in json.dumps(plan)  # the slip is really there
    out = render(plan, fmt, color=color)
    assert PLANTED not in out and SENSITIVE in out


def test_the_sample_shows_sensitive_fields_on_every_action() -> None:
    actions = {action for _, _, action in _sensitive_rows(full_plan())}
    assert actions == {"create", "update", "replace"}  # deletes show no secret at all


@pytest.mark.parametrize("leak", [False, True])
def test_text_marks_each_sensitive_field(leak: bool) -> None:
    plan = with_secret(full_plan(), PLANTED) if leak else full_plan()
    blocks = render(plan, "text").split("\n\n")
    for address, name, action in _sensitive_rows(plan):
        (block,) = [b for b in blocks if b.split("\n")[0].endswith(" " + address)]
        lines = [ln for ln in block.split("\n") if ln.startswith(f"{INDENT}{name}:")]
        assert len(lines) == 1, (address, name)
        if action == "create":
            assert lines[0].split(":", 1)[1].strip() == SENSITIVE
        elif action == "update":
            assert lines[0].split(":", 1)[1].strip() == f"{SENSITIVE} -> {SENSITIVE}"


@pytest.mark.parametrize("leak", [False, True])
def test_markdown_marks_each_sensitive_field(leak: bool) -> None:
    plan = with_secret(full_plan(), PLANTED) if leak else full_plan()
    html = MarkdownIt("gfm-like", {"linkify": False}).render(render(plan, "markdown"))
    sections = html.split("<details>")[1:]
    for address, name, action in _sensitive_rows(plan):
        # the <summary> line is raw HTML, so its entities are still encoded
        # the change's own section (a grouped note may name the same address)
        (section,) = [s for s in sections if f"<code>{address}</code> (" in unescape(s)]
        after = f"<td><code>{SENSITIVE}</code></td>"
        before = after if action != "create" else "<td>—</td>"
        assert f"<tr>\n<td><code>{name}</code></td>\n{before}\n{after}\n</tr>" in section


@pytest.mark.parametrize("leak", [False, True])
def test_json_marks_each_sensitive_field(leak: bool) -> None:
    plan = with_secret(full_plan(), PLANTED) if leak else full_plan()
    doc = json.loads(render(plan, "json"))
    seen = 0
    for c in doc["changes"]:
        for side in (c["before"], c["after"]):
            for f in c.get("sensitive_fields", []):
                if side is not None and f in side:
                    assert side[f] == SENSITIVE
                    seen += 1
    assert seen == 8


def test_the_mask_reads_as_the_marker_even_without_sensitive_fields() -> None:
    plan = full_plan()
    change = plan["changes"][3]  # the DEPLOY_KEY update
    del change["sensitive_fields"]
    out = render(plan, "text")
    assert f"value: {SENSITIVE} -> {SENSITIVE}" in out and f'"{SENSITIVE}"' not in out
