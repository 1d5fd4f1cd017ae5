"""A lint report as text for a terminal, as JSON, and the rules list. Plain dicts in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.render.jsonutil import dump
from reconciler.render.values import clean

SEVERITY_ORDER = ("critical", "high", "medium", "low")
_PAINT = {"critical": "\x1b[1;31m", "high": "\x1b[31m", "medium": "\x1b[33m", "low": "\x1b[36m"}


def where(finding: Mapping[str, Any]) -> str:
    """file:line:col offline; the object's address live."""
    loc = finding.get("location")
    if loc:
        return f"{loc['file']}:{loc['line']}:{loc['col']}"
    return clean(finding.get("address", ""))


def render_lint_text(report: Mapping[str, Any], color: bool = False) -> str:
    lines = []
    for f in report.get("findings", []):
        if f.get("suppressed"):
            continue
        sev = str(f["severity"])
        label = f"{_PAINT[sev]}{sev}\x1b[0m" if color and sev in _PAINT else sev
        lines.append(f"{where(f)}: {label} [{f['rule']}] {clean(f['message'])}")
        if f.get("location"):
            lines.append(f"    at {clean(f['address'])}")
    for note in report.get("notes", []):
        lines.append(f"note: {clean(note)}")
    s = report.get("summary", {})
    mode = "the live organization" if report.get("mode") == "live" else "the manifest"
    total, hidden, failing = s.get("findings", 0), s.get("suppressed", 0), s.get("failing", 0)
    tail = f", {hidden} suppressed" if hidden else ""
    if total:
        lines.append(
            f"{total} finding(s) in {mode}{tail}; {failing} at or above {report.get('fail_on')}."
        )
    else:
        lines.append(f"No findings in {mode}{tail}.")
    return "\n".join(lines) + "\n"


def render_lint_json(report: Mapping[str, Any]) -> str:
    return dump(dict(report))


def render_rules(rules: Sequence[Mapping[str, Any]]) -> str:
    """`lint --list-rules`: id, severity, title, why and how to fix; rules that need kinds
    this version lacks are listed last, with what they need."""
    out = []
    for r in sorted(rules, key=lambda r: (not r["available"], r["id"])):
        head = f"{r['id']} ({r['severity']}): {r['title']}"
        if not r["available"]:
            head += f" [not available: needs {', '.join(r['missing_kinds'])}]"
        out += [head, f"    Why: {r['rationale']}", f"    Fix: {r['fix']}", ""]
    return "\n".join(out)
