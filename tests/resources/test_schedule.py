"""Schedules export as the manifest writes them; one the manifest would refuse is left alone,
and one run as another user says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.client import normalize
from reconciler.core import PlanContext, Resource, Scope
from reconciler.diff import compare
from reconciler.errors import UnsafePlan
from reconciler.resources import REGISTRY
from reconciler.resources.schedule import ScheduleKind, timetable
from tests.resources.helpers import Export, changes, child, desired, load, project, read_live
from tests.support.emulator_fixture import MakeEmulator

API = project("gh/acme/api", "p1")
KIND = REGISTRY["schedule"]


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


def test_one_run_as_another_user_is_kept_with_a_note() -> None:
    live = _live("weekly", actor={"id": "u2", "login": "alice"})
    assert live.fields["attribution_actor"] == "user:alice"  # what plan compares
    text = Export("schedule", API, [live]).text
    assert "attribution_actor: keep  # runs as alice; `keep` leaves it so" in text


def test_one_the_manifest_would_refuse_is_hands_off() -> None:
    out = Export("schedule", API, [_live("hourly", parameters={"debug": True})])
    assert out.text == "schedules: {}\n"
    assert out.hands_off == {"schedules": {"hourly"}}
    assert out.ctx.hands_off.why[0].startswith("schedule 'hourly' of gh/acme/api: ")


# --- desired ------------------------------------------------------------------------------

NIGHTLY = """
projects:
  gh/acme/api:
    schedules:
      nightly:
        description: Nightly build
        timetable: {per_hour: 1, hours_of_day: [5, 3], days_of_week: [FRI, MON]}
        parameters: {branch: main, debug: true}
      monthly:
        attribution_actor: system
        timetable: {per_hour: 2, hours_of_day: [6], days_of_month: [15, 1], months: [OCT, JAN]}
        parameters: {tag: v1.0.0}
        protect: true
  gh/acme/web: {}
  gh/acme/lib:
    schedules: {}
"""


def test_desired_fields_in_one_spelling_and_order_and_scopes(tmp_path: Path) -> None:
    found, scopes = desired("schedule", load(tmp_path, NIGHTLY))
    assert list(found) == [f"{API.address}.schedule[monthly]", f"{API.address}.schedule[nightly]"]
    monthly, nightly = found.values()
    assert nightly.fields == {
        "description": "Nightly build",
        "attribution_actor": "current",  # the default
        "timetable": {"per_hour": 1, "hours_of_day": [3, 5], "days_of_week": ["MON", "FRI"]},
        "parameters": {"branch": "main", "debug": True},
    }
    assert not nightly.protect and monthly.protect
    assert monthly.fields["description"] == "" and monthly.fields["attribution_actor"] == "system"
    assert monthly.fields["timetable"] == {
        "per_hour": 2,
        "hours_of_day": [6],
        "days_of_month": [1, 15],
        "months": ["JAN", "OCT"],
    }
    assert scopes == [
        Scope("project[gh/acme/api]", "schedule"),
        Scope("project[gh/acme/lib]", "schedule"),
    ]


# --- normalise ----------------------------------------------------------------------------


def test_a_timetable_in_either_spelling_reads_the_same() -> None:
    kebab = {"per-hour": 1, "hours-of-day": [5, 3], "days-of-week": ["FRI", "MON"], "months": []}
    snake = {"per_hour": 1, "hours_of_day": [3, 5], "days_of_week": ["MON", "FRI"]}
    assert (
        timetable(kebab)
        == timetable(snake)
        == {
            "per_hour": 1,
            "hours_of_day": [3, 5],
            "days_of_week": ["MON", "FRI"],  # calendar order; an empty list is dropped
        }
    )


# Declaring a schedule has the token's user read, to tell `current` apart.
WEEKLY = """
projects:
  gh/acme/api:
    schedules:
      weekly:
        timetable: {per_hour: 1, hours_of_day: [1], days_of_week: [SUN]}
        parameters: {branch: main}
"""


def test_live_schedules_read_attribution_from_the_actor(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    timetable_ = {"per_hour": 1, "hours_of_day": [5, 3], "days_of_week": ["FRI", "MON"]}
    schedules = {
        "mine": {"timetable": timetable_, "parameters": {"branch": "main"}},
        "system": {
            "timetable": timetable_,
            "parameters": {"branch": "main"},
            "attribution_actor": "system",
        },
    }
    seed = {"organizations": {"gh/acme": {"projects": {"gh/acme/api": {"schedules": schedules}}}}}
    live = read_live(emulator_factory(seed=seed), load(tmp_path, WEEKLY), "schedule")
    mine, system = live[f"{API.address}.schedule[mine]"], live[f"{API.address}.schedule[system]"]
    assert mine.fields == {
        "description": "",  # null in CircleCI's answer
        "attribution_actor": "current",  # the token's own user
        "timetable": {"per_hour": 1, "hours_of_day": [3, 5], "days_of_week": ["MON", "FRI"]},
        "parameters": {"branch": "main"},
    }
    assert system.fields["attribution_actor"] == "system"
    assert mine.ids["id"] and mine.signal["updated_at"]


def test_a_schedule_run_as_another_user_reads_as_that_user(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    schedules = {
        "weekly": {
            "timetable": {"per_hour": 1, "hours_of_day": [1], "days_of_week": ["SUN"]},
            "parameters": {"branch": "main"},
        }
    }
    seed = {
        "users": [{"login": "alice", "token": "alice-token", "organizations": ["gh/acme"]}],
        "organizations": {"gh/acme": {"projects": {"gh/acme/api": {"schedules": schedules}}}},
    }
    live = read_live(emulator_factory(seed=seed), load(tmp_path, WEEKLY), "schedule")
    weekly = live[f"{API.address}.schedule[weekly]"]
    assert weekly.fields["attribution_actor"] == "user:alice"
    assert weekly.ids["stored_actor"] == "current"


def test_the_system_actor_of_an_answer_without_attribution_reads_as_system() -> None:
    raw = {
        "id": "s1",
        "name": "nightly",
        "timetable": {"per-hour": 1, "hours-of-day": [3], "days-of-week": ["MON"]},
        "parameters": {"run-nightly": True, "branch": "main"},  # user keys kept as written
        "actor": {"id": normalize.SYSTEM_ACTOR_ID, "login": "system-actor"},
    }
    live = ScheduleKind()._live(API.address, normalize.schedule(raw))
    assert live.fields["attribution_actor"] == "system"
    assert live.fields["parameters"] == {"run-nightly": True, "branch": "main"}


# --- compare ------------------------------------------------------------------------------


def _nightly(tmp_path: Path, **fields: Any) -> tuple[Resource, Resource, PlanContext]:
    """The manifest's nightly schedule, the same one live with `fields` changed, the context."""
    manifest = load(tmp_path, NIGHTLY)
    want = desired("schedule", manifest)[0][f"{API.address}.schedule[nightly]"]
    have = child(
        "schedule", API, "schedule", "nightly", fields={**want.fields, **fields}, ids={"id": "s1"}
    )
    return want, have, PlanContext(manifest=manifest)


def test_equal_after_normalisation_is_no_change(tmp_path: Path) -> None:
    want, have, ctx = _nightly(tmp_path)
    assert compare(KIND, want, have, ctx).changed == []
    assert changes([want], [have], ctx) == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("description", ""),
        ("attribution_actor", "user:alice"),
        ("parameters", {"branch": "dev", "debug": True}),
        ("timetable", {"per_hour": 2, "hours_of_day": [3, 5], "days_of_week": ["MON", "FRI"]}),
    ],
)
def test_each_compared_field_that_differs_is_an_update(
    tmp_path: Path, field: str, value: Any
) -> None:
    want, have, ctx = _nightly(tmp_path, **{field: value})
    assert changes([want], [have], ctx) == [("update", want.address, [field])]


def test_a_timetable_that_drops_a_key_is_a_replace(tmp_path: Path) -> None:
    monthly = {"per_hour": 1, "hours_of_day": [3, 5], "days_of_month": [1]}
    want, have, ctx = _nightly(tmp_path, timetable=monthly)
    assert changes([want], [have], ctx) == [("replace", want.address, ["timetable"])]


def test_a_protected_schedule_is_never_replaced(tmp_path: Path) -> None:
    manifest = load(tmp_path, NIGHTLY)
    want = desired("schedule", manifest)[0][f"{API.address}.schedule[monthly]"]
    weekly = {"per_hour": 2, "hours_of_day": [6], "days_of_week": ["MON"]}
    have = child(
        "schedule", API, "schedule", "monthly", fields={**want.fields, "timetable": weekly}
    )
    with pytest.raises(UnsafePlan, match="protected and would have to be replaced"):
        changes([want], [have], PlanContext(manifest=manifest))
