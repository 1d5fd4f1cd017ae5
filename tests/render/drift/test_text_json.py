"""The terminal and JSON forms: drifted objects only, colour on request, exact JSON."""

from __future__ import annotations

import json

from reconciler.render.drift import NO_DRIFT, render_drift
from reconciler.render.symbols import strip_ansi
from tests.render.drift.sample import clean_report, full_report


def test_text_lists_only_drifted_objects() -> None:
    report = full_report()
    text = render_drift(report, "text")
    for obj in report["objects"]:
        header = f" {obj['address']} ({obj['status']})"
        assert (header in text) == (obj["status"] != "ok"), obj["address"]
    assert text.endswith(
        "Drift: 8 changed, 2 missing, 3 extra, 1 unmanaged, 1 tampered; 6 in sync.\n"
    )
    assert "      build_fork_prs: manifest=false live=true\n" in text


def test_colour_only_on_request() -> None:
    report = full_report()
    plain = render_drift(report, "text")
    coloured = render_drift(report, "text", color=True)
    assert "\x1b[" not in plain and "\x1b[" in coloured
    assert strip_ansi(coloured) == plain


def test_in_sync_text() -> None:
    text = render_drift(clean_report(), "text")
    assert text.endswith(NO_DRIFT + "\n")
    assert "Objects that differ" not in text


def test_unmanaged_objects_are_listed_but_not_drift() -> None:
    """drift.py counts a report with only unmanaged objects as in sync; they are still shown."""
    report = clean_report()
    report["objects"].append(
        {"address": "context[x]", "kind": "context", "status": "unmanaged", "detail": "d"}
    )
    report["summary"]["unmanaged"] = 1
    text = render_drift(report, "text")
    assert "  ? context[x] (unmanaged)\n" in text
    assert text.endswith(NO_DRIFT + " 1 unmanaged object is listed above.\n")
    md = render_drift(report, "markdown")
    assert "No drift: CircleCI matches the manifest. 1 unmanaged object is listed above." in md
    assert "<code>context&#91;x]</code>" in md
    # Without a verdict in the dict, the renderers reach the same one.
    del report["in_sync"]
    assert render_drift(report, "text").endswith(" listed above.\n")
    report["objects"][-1]["status"] = "extra"
    report["summary"].update(unmanaged=0, extra=1)
    assert "Drift: 0 changed, 0 missing, 1 extra" in render_drift(report, "text")


def test_control_characters_never_reach_the_terminal() -> None:
    report = full_report()
    report["objects"][0]["address"] = "context[\x1b[2Jevil\u202e]"
    report["objects"][0]["status"] = "unmanaged"
    text = render_drift(report, "text")
    assert "\x1b" not in text and "\u202e" not in text
    assert "context[\\u001b[2Jevil\\u202e]" in text


def test_json_is_the_report_with_a_fixed_layout() -> None:
    report = full_report()
    text = render_drift(report, "json")
    assert text.endswith("}\n") and text.startswith('{\n  "format_version": 1,\n')
    assert json.loads(text) == report
    assert list(json.loads(text)) == [
        "format_version",
        "organization",
        "checksum",
        "in_sync",
        "summary",
        "objects",
        "notes",
    ]
    # Same report built in another order: same bytes.
    shuffled = dict(reversed(list(report.items())))
    shuffled["objects"] = [dict(reversed(list(o.items()))) for o in report["objects"]]
    assert render_drift(shuffled, "json") == text
