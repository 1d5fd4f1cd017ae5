"""A lint report as JUnit XML for CircleCI's Tests tab: one suite per rule that ran, one
failing case per finding, a skipped case per suppressed one, a passing case for a clean
rule."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from reconciler.render.junit import _text
from reconciler.render.lint import where

SUITE = "circleci-reconciler lint"


def render_lint_junit(report: Mapping[str, Any]) -> str:
    root = ET.Element("testsuites", {"name": SUITE})
    findings = list(report.get("findings", []))
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rule in report.get("rules", []):
        if not rule.get("available"):
            continue
        mine = [f for f in findings if f["rule"] == rule["id"]]
        suite = ET.SubElement(root, "testsuite", {"name": _text(rule["id"]), "time": "0"})
        failures = skipped = 0
        for f in mine:
            case = ET.SubElement(
                suite,
                "testcase",
                {"classname": _text(rule["id"]), "name": _text(f["address"]), "time": "0"},
            )
            if f.get("suppressed"):
                skipped += 1
                reason = _text(f["suppressed"]["reason"])
                ET.SubElement(case, "skipped", {"message": f"suppressed: {reason}"})
                continue
            failures += 1
            failure = ET.SubElement(
                case, "failure", {"message": _text(f["message"]), "type": f["severity"]}
            )
            failure.text = f"{_text(where(f))}: {_text(f['message'])}\nFix: {_text(rule['fix'])}"
        if not mine:
            ET.SubElement(
                suite, "testcase", {"classname": _text(rule["id"]), "name": "clean", "time": "0"}
            )
        tests = max(1, len(mine))
        suite.attrib.update(
            {"tests": str(tests), "failures": str(failures), "errors": "0", "skipped": str(skipped)}
        )
        totals["tests"] += tests
        totals["failures"] += failures
        totals["skipped"] += skipped
    root.attrib.update({k: str(v) for k, v in totals.items()} | {"errors": "0"})
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
