"""The JUnit form is well-formed XML with the structure CircleCI's Tests tab reads, and its
counts agree with the report's summary."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.render.drift import render_drift
from reconciler.render.junit import SUITE, UNMANAGED_SUITE, _text
from tests.render.drift.sample import clean_report, full_report

MANAGED = {"ok", "changed", "missing", "tampered"}


def _parse(report: dict[str, Any]) -> ET.Element:
    text = render_drift(report, "junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def _int(el: ET.Element, name: str) -> int:
    value = el.get(name)
    assert value is not None and value.isdigit(), f"{el.tag} {name}={value!r}"
    return int(value)


def test_suites_and_counts_match_the_summary() -> None:
    report = full_report()
    n = report["summary"]
    root = _parse(report)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [SUITE, UNMANAGED_SUITE]
    main, other = suites
    assert _int(main, "tests") == n["ok"] + n["changed"] + n["missing"] + n["tampered"]
    assert _int(main, "failures") == n["changed"] + n["missing"] + n["tampered"]
    assert _int(other, "tests") == n["extra"] + n["unmanaged"]
    assert _int(other, "failures") == n["extra"]
    assert _int(other, "skipped") == n["unmanaged"]  # reported, but they do not fail the job
    # Totals as junitparser computes them: sums over the suites, and over the cases.
    for attr in ("tests", "failures", "errors", "skipped"):
        assert _int(root, attr) == sum(_int(s, attr) for s in suites)
    for suite in suites:
        cases = suite.findall("testcase")
        assert _int(suite, "tests") == len(cases)
        assert _int(suite, "failures") == sum(1 for c in cases if c.find("failure") is not None)
        assert _int(suite, "skipped") == sum(1 for c in cases if c.find("skipped") is not None)
        assert _int(suite, "errors") == 0


def test_one_case_per_object_with_kind_address_and_status() -> None:
    report = full_report()
    root = _parse(report)
    cases = {}
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            assert list(case.attrib) == ["classname", "name", "time"]
            cases[case.get("name")] = (suite.get("name"), case)
    assert len(cases) == len(report["objects"])
    for obj in report["objects"]:
        suite, case = cases[obj["address"]]
        assert suite == (SUITE if obj["status"] in MANAGED else UNMANAGED_SUITE)
        assert case.get("classname") == obj["kind"]
        failures = case.findall("failure")
        if obj["status"] == "ok":
            assert failures == []
            continue
        if obj["status"] == "unmanaged":
            assert failures == [] and case.find("skipped").get("message") == obj["detail"]
            continue
        assert len(failures) == 1
        f = failures[0]
        assert f.get("type") == obj["status"]
        assert f.get("message") == obj["detail"]
        body = (f.text or "").split("\n")
        assert body[0] == f"{obj['address']} ({obj['status']}): {obj['detail']}"
        assert len(body) == 1 + len(obj.get("fields") or [])


def test_field_rows_are_in_the_failure_body() -> None:
    root = _parse(full_report())
    case = root.find(".//testcase[@name='project[gh/acme/api].settings']")
    assert case is not None
    body = case.findtext("failure") or ""
    assert "build_fork_prs: manifest=false live=true" in body.split("\n")
    assert 'pr_only_branch_overrides: manifest=["main"] live=(not set)' in body.split("\n")


def test_properties_and_notes() -> None:
    report = full_report()
    main = _parse(report).find("testsuite")
    assert main is not None
    props = {p.get("name"): p.get("value") for p in main.iter("property")}
    assert props == {"organization": "gh/acme", "checksum": report["checksum"]}
    assert (main.findtext("system-out") or "").split("\n") == report["notes"]


def test_in_sync_report_has_no_failures() -> None:
    report = clean_report()
    root = _parse(report)
    assert _int(root, "failures") == 0
    assert _int(root, "tests") == len(report["objects"]) > 0
    assert root.find(".//failure") is None


def test_empty_report_is_still_valid() -> None:
    root = _parse({"organization": "gh/acme", "objects": [], "summary": {}})
    assert _int(root, "tests") == 0 and len(root.findall("testsuite")) == 2


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=30) | st.text(
    st.sampled_from("\x00\x01\x1b\t\n\r\x7f\ufffe\uffff\ud800<>&\"'\u202e]]>"), max_size=12
)


@settings(max_examples=150, deadline=None)
@given(address=TEXT, detail=TEXT, value=TEXT, note=TEXT)
def test_any_text_gives_well_formed_xml(address: str, detail: str, value: str, note: str) -> None:
    report = {
        "organization": note,
        "objects": [
            {
                "address": address,
                "kind": "schedule",
                "status": "changed",
                "detail": detail,
                "fields": [{"field": value, "manifest": value, "live": None}],
            }
        ],
        "notes": [note],
    }
    root = _parse(report)  # raises on anything XML 1.0 cannot carry
    case = root.find(".//testcase")
    assert case is not None
    # Attributes survive the round trip: unchanged when printable, else visibly escaped.
    assert case.get("name") == _text(address)
    if address.isprintable() and not set(address) & set("\ufffe\uffff\u202e"):
        assert case.get("name") == address
