"""A lint report as SARIF 2.1.0, for code scanning: rule metadata, a location per result (the
manifest's file:line:col offline; the object's address as a logical location live), and a
fingerprint of rule and address so a finding is tracked across commits however lines move.
Suppressed findings stay in the log, marked suppressed with their reason."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from reconciler.render.jsonutil import dump

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning ranks results by this property (0.0-10.0).
SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
FINGERPRINT = "circleciReconcilerFinding/v1"


def _rule(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "name": "".join(w.capitalize() for w in str(r["id"]).split("-")),
        "shortDescription": {"text": r["title"]},
        "fullDescription": {"text": r["rationale"]},
        "help": {"text": f"{r['rationale']}\n\nFix: {r['fix']}"},
        "defaultConfiguration": {"level": LEVEL[r["severity"]]},
        "properties": {
            "security-severity": SCORE[r["severity"]],
            "tags": ["security", "circleci"],
            "severity": r["severity"],
        },
    }


def _location(f: Mapping[str, Any]) -> dict[str, Any]:
    logical = [{"fullyQualifiedName": f["address"], "kind": "resource"}]
    loc = f.get("location")
    if not loc:
        return {"logicalLocations": logical}
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": PurePath(loc["file"]).as_posix(), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": loc["line"], "startColumn": loc["col"]},
        },
        "logicalLocations": logical,
    }


def render_sarif(report: Mapping[str, Any]) -> str:
    rules = list(report.get("rules", []))
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in report.get("findings", []):
        result: dict[str, Any] = {
            "ruleId": f["rule"],
            "ruleIndex": index[f["rule"]],
            "level": LEVEL[f["severity"]],
            "message": {"text": f["message"]},
            "locations": [_location(f)],
            "partialFingerprints": {FINGERPRINT: f["fingerprint"]},
        }
        if f.get("suppressed"):
            result["suppressions"] = [
                {"kind": "inSource", "justification": f["suppressed"]["reason"]}
            ]
        results.append(result)
    tool = report.get("tool", {})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": tool.get("name", "circleci-reconciler"),
                "version": tool.get("version", ""),
                "rules": [_rule(r) for r in rules],
            }
        },
        "automationDetails": {"id": f"circleci-reconciler/lint/{report.get('mode', 'offline')}/"},
        "results": results,
        "properties": {"organization": report.get("organization", "")},
    }
    if report.get("mode") != "live":
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "./"}}
    return dump({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
