"""Schedules export as the manifest writes them; one the manifest would refuse is left alone,
and one run as another user says so."""

from __future__ import annotations

from typing import Any

from reconciler.core import Resource
from reconciler.resources.schedule import ScheduleKind
from tests.resources.helpers import Export, project

API = project("gh/acme/api", "p1")


def _live(name: str, user_id: str = "u1", **raw: Any) -> Resource:
    """As the kind reads and settles it."""
    body = {
        "name": name,
        "id": f"s-{name}",
        "attribution_actor": "current",
        "actor": {"id": "u1", "login": "dev"},
        "timetable": {"per-hour": 1, "hours-of-day": [5, 3], "days-of-week": ["FRI", "MON"]},
        "parameters": {"branch": "main"},
        **raw,
    }
    return ScheduleKind()._live(API.address, body, user_id)


def test_a_schedule_is_written_whole_and_sorted() -> None:
    out = Export("schedule", API, [_live("nightly", description="Nightly build")])
    assert out.text == (
        "schedules:\n"
        "  nightly:\n"
        "    attribution_actor: current\n"
        "    description: Nightly build\n"
        "    parameters:\n"
        "      branch: main\n"
        "    timetable:\n"
        "      days_of_week: [MON, FRI]\n"
        "      hours_of_day: [3, 5]\n"
        "      per_hour: 1\n"
    )
    assert out.hands_off == {}


def test_one_run_as_another_user_stays_current_with_a_note() -> None:
    live = _live("weekly", actor={"id": "u2", "login": "alice"})
    assert live.fields["attribution_actor"] == "user:alice"  # what plan compares
    text = Export("schedule", API, [live]).text
    assert "attribution_actor: current  # runs as alice; `current` means the user" in text


def test_one_the_manifest_would_refuse_is_hands_off() -> None:
    out = Export("schedule", API, [_live("hourly", parameters={"debug": True})])
    assert out.text == "schedules: {}\n"
    assert out.hands_off == {"schedules": {"hourly"}}
    assert out.ctx.hands_off.why[0].startswith("schedule 'hourly' of gh/acme/api: ")
