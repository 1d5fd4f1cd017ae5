"""Field checks shared by the schedule/webhook routes and the seed loader.

Each raises Fail(400, ...) with a message naming the field; the spec gives the rules (in prose)
but not the texts, so the texts are ours (README).
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.http import Fail

DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
TIMETABLE_KEYS = ("per-hour", "hours-of-day", "days-of-week", "days-of-month", "months")
EVENTS = ("workflow-completed", "job-completed")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(value: Any, low: int, high: int) -> bool:
    return isinstance(value, list) and all(_is_int(v) and low <= v <= high for v in value)


def _subset(value: Any, allowed: tuple[str, ...]) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v in allowed for v in value)


def timetable(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Fail(400, "JSON field 'timetable' is of incorrect type.")
    for key in value:
        if key not in TIMETABLE_KEYS:
            raise Fail(400, f"Unexpected JSON field '{key}' in timetable.")
    if not _is_int(value.get("per-hour")) or not 1 <= value["per-hour"] <= 60:
        raise Fail(400, "Timetable 'per-hour' must be an integer between 1 and 60.")
    hours = value.get("hours-of-day")
    if not hours or not _ints(hours, 0, 23):
        raise Fail(400, "Timetable 'hours-of-day' must list hours between 0 and 23.")
    week, month = value.get("days-of-week"), value.get("days-of-month")
    if bool(week) == bool(month):
        raise Fail(400, "Timetable needs exactly one of 'days-of-week' or 'days-of-month'.")
    if week is not None and not _subset(week, DAYS):
        raise Fail(400, f"Timetable 'days-of-week' must list days among {', '.join(DAYS)}.")
    if month is not None and not _ints(month, 1, 31):
        raise Fail(400, "Timetable 'days-of-month' must list days between 1 and 31.")
    if "months" in value and not _subset(value["months"], MONTHS):
        raise Fail(400, f"Timetable 'months' must list months among {', '.join(MONTHS)}.")
    return {k: list(v) if isinstance(v, list) else v for k, v in value.items()}


def parameters(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Fail(400, "JSON field 'parameters' is of incorrect type.")
    for key, item in value.items():
        if not isinstance(item, (str, int, bool)):
            raise Fail(400, f"Parameter '{key}' must be a string, an integer or a boolean.")
    if "branch" not in value and "tag" not in value:
        raise Fail(400, "Parameters must contain a 'branch' or a 'tag'.")
    return dict(value)


def schedule_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Checked copies of the schedule fields present in `data` (kebab-case, as on the wire)."""
    out: dict[str, Any] = {}
    if "name" in data:
        if not isinstance(data["name"], str) or not data["name"].strip():
            raise Fail(400, "JSON field 'name' is of incorrect type.")
        out["name"] = data["name"]
    if "description" in data:
        if data["description"] is not None and not isinstance(data["description"], str):
            raise Fail(400, "JSON field 'description' is of incorrect type.")
        out["description"] = data["description"]
    if "attribution-actor" in data:
        if data["attribution-actor"] not in ("current", "system"):
            raise Fail(400, "Field 'attribution-actor' must be 'current' or 'system'.")
        out["attribution-actor"] = data["attribution-actor"]
    if "timetable" in data:
        out["timetable"] = timetable(data["timetable"])
    if "parameters" in data:
        out["parameters"] = parameters(data["parameters"])
    return out


def webhook_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Checked copies of the writable webhook fields present in `data` (not scope)."""
    out: dict[str, Any] = {}
    if "name" in data:
        if not isinstance(data["name"], str) or not data["name"].strip():
            raise Fail(400, "JSON field 'name' is of incorrect type.")
        out["name"] = data["name"]
    if "events" in data:
        events = data["events"]
        if not events or not _subset(events, EVENTS) or len(set(events)) != len(events):
            raise Fail(
                400, "Field 'events' must list events among workflow-completed, job-completed."
            )
        out["events"] = list(events)
    if "url" in data:
        url = data["url"]
        if (
            not isinstance(url, str)
            or not url.startswith("https://")
            or len(url) <= len("https://")
        ):
            raise Fail(400, "Field 'url' must be an https URL.")
        out["url"] = url
    if "verify-tls" in data:
        if not isinstance(data["verify-tls"], bool):
            raise Fail(400, "JSON field 'verify-tls' is of incorrect type.")
        out["verify-tls"] = data["verify-tls"]
    if "signing-secret" in data:
        if not isinstance(data["signing-secret"], str):
            raise Fail(400, "JSON field 'signing-secret' is of incorrect type.")
        out["signing-secret"] = data["signing-secret"]
    return out
