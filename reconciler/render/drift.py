"""Drift reports: terminal text, JSON, and dispatch to the Markdown and JUnit forms.

Every renderer reads only the drift dict built by reconciler/drift.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.core import SENSITIVE
from reconciler.errors import ReconcilerError
from reconciler.render.drift_fields import (
    COLOURS,
    DRIFT,
    LEGEND,
    STATUSES,
    counts,
    drifted,
    field_rows,
    in_sync,
    summary_line,
    symbol,
    unmanaged_note,
)
from reconciler.render.drift_markdown import render_drift_markdown
from reconciler.render.jsonutil import deep_sorted, dump, ordered
from reconciler.render.junit import render_drift_junit
from reconciler.render.symbols import paint
from reconciler.render.text import notes_section
from reconciler.render.values import clean

FORMATS = ("text", "markdown", "json", "junit")
INDENT = "      "
NO_DRIFT = "No drift: CircleCI matches the manifest."


def _object(obj: Mapping[str, Any], color: bool) -> list[str]:
    status = str(obj.get("status", ""))
    title = f"  {symbol(status)} {clean(obj.get('address', ''))} ({clean(status)})"
    out = [paint(title, COLOURS.get(status, "1"), color)]
    if obj.get("detail"):
        out.append(paint(f"{INDENT}# {clean(obj['detail'])}", "dim", color))
    for row in field_rows(obj):
        out.append(f"{INDENT}{clean(row.name)}: manifest={row.manifest} live={row.live}")
    return out


def render_drift_text(report: Mapping[str, Any], color: bool = False) -> str:
    """Header, legend, each drifted object with its detail and fields, notes, summary line."""
    org = clean(report.get("organization", "?"))
    out = [paint(f"CircleCI drift for {org}", "bold", color)]
    if report.get("checksum"):
        out.append(f"State checksum: {clean(report['checksum'])}")
    out.append("")
    items = drifted(report)
    if items:
        used = [s for s in DRIFT if any(o.get("status") == s for o in items)]
        out.append("Statuses are shown with these symbols:")
        out.extend(f"  {paint(symbol(s), COLOURS[s], color)} {s}: {LEGEND[s]}" for s in used)
        out += ["", "Objects that differ:", ""]
        for obj in items:
            out += [*_object(obj, color), ""]
    out += notes_section(report, color)
    if in_sync(report):
        out.append(paint(NO_DRIFT + unmanaged_note(report), "ok", color))
    else:
        out.append(paint(summary_line(report), "bold", color))
    return "\n".join(out) + "\n"


TOP_KEYS: tuple[str, ...] = ("format_version", "organization", "checksum", "in_sync", "summary")
TOP_KEYS += ("objects", "notes", "object_notes")  # the notes close the report
OBJECT_KEYS = ("address", "kind", "status", "detail", "fields")


def _side(value: Any, sensitive: bool) -> Any:
    return SENSITIVE if sensitive and value is not None else deep_sorted(value)


def _json_object(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = ordered(obj, OBJECT_KEYS)
    if "fields" in obj:
        masked = {r.name for r in field_rows(obj) if r.sensitive}
        out["fields"] = [
            {
                "field": f.get("field"),
                "manifest": _side(
                    f.get("manifest"), f.get("field") in masked and not f.get("literal")
                ),
                "live": _side(f.get("live"), f.get("field") in masked),
            }
            for f in obj.get("fields") or []
        ]
    return out


def render_drift_json(report: Mapping[str, Any]) -> str:
    """The drift dict in a fixed key order, indented, with a trailing newline."""
    doc = ordered(report, TOP_KEYS)
    if "summary" in report:
        doc["summary"] = ordered(report["summary"], STATUSES)
    doc["objects"] = [_json_object(o) for o in report.get("objects") or []]
    return dump(doc)


def masked(
    report: Mapping[str, Any], secret_fields: Mapping[str, Iterable[str]]
) -> Mapping[str, Any]:
    """The report with every field that `secret_fields` names for its object's kind shown as
    (sensitive), whatever value slipped in: a second mask behind the report's own."""
    objects = []
    for obj in report.get("objects") or []:
        secret = set(secret_fields.get(str(obj.get("kind")), ()))
        rows = obj.get("fields")
        if secret and rows:
            rows = [
                {
                    **f,
                    "manifest": f.get("manifest") if f.get("literal") else SENSITIVE,
                    "live": SENSITIVE,
                }
                if f.get("field") in secret
                else f
                for f in rows
            ]
            obj = {**obj, "fields": rows}
        objects.append(obj)
    return {**report, "objects": objects} if "objects" in report else report


def render_drift(
    report: Mapping[str, Any],
    fmt: str,
    color: bool = False,
    secret_fields: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """The drift report in format `fmt`; `color` only affects the text format. Fields that
    `secret_fields` (kind -> field names) names are never shown, whatever the report holds."""
    if secret_fields:
        report = masked(report, secret_fields)
    if fmt == "text":
        return render_drift_text(report, color=color)
    if fmt == "markdown":
        return render_drift_markdown(report)
    if fmt == "json":
        return render_drift_json(report)
    if fmt == "junit":
        return render_drift_junit(report)
    raise ReconcilerError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render_drift", "render_drift_json", "render_drift_text", "counts"]
