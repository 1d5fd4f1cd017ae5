"""Legacy schedules as schedule triggers: the cron expression fires exactly when the
timetable does, minute by minute over a month; what no cron expression states is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reconciler.resources import cron
from reconciler.resources.schedule_convert import NotConvertible, convert, trigger_of

DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def timetable_fires(tt: dict[str, Any], when: datetime) -> bool:
    """A legacy schedule's runs: per_hour evenly spaced from the top of each listed hour."""
    minutes = {k * 60 // tt["per_hour"] for k in range(tt["per_hour"])}
    if "months" in tt and MONTHS[when.month - 1] not in tt["months"]:
        return False
    if "days_of_week" in tt and DAYS[when.weekday()] not in tt["days_of_week"]:
        return False
    if "days_of_month" in tt and when.day not in tt["days_of_month"]:
        return False
    return when.hour in tt["hours_of_day"] and when.minute in minutes


TIMETABLES = [
    {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON", "TUE", "WED", "THU", "FRI"]},
    {"per_hour": 4, "hours_of_day": [0, 12, 23], "days_of_week": ["SUN", "SAT"]},
    {"per_hour": 60, "hours_of_day": [9], "days_of_month": [1, 15, 31]},
    {"per_hour": 12, "hours_of_day": [5, 1], "days_of_month": [2], "months": ["MAR", "APR"]},
    {"per_hour": 3, "hours_of_day": [7], "days_of_week": ["WED"], "months": ["MAR"]},
]


@pytest.mark.parametrize("tt", TIMETABLES, ids=lambda tt: str(tt["per_hour"]))
def test_the_cron_fires_when_the_timetable_does_over_a_month(tt: dict[str, Any]) -> None:
    expression = trigger_of("s", {"timetable": tt, "parameters": {"branch": "main"}})
    minute, end = datetime(2026, 3, 1), datetime(2026, 4, 1)
    cron_times, table_times = [], []
    while minute < end:
        if cron.fires(expression["cron_expression"], minute):
            cron_times.append(minute)
        if timetable_fires(tt, minute):
            table_times.append(minute)
        minute += timedelta(minutes=1)
    assert table_times and cron_times == table_times


def test_refs_parameters_and_attribution_carry_over() -> None:
    made = trigger_of(
        "nightly",
        {
            "attribution_actor": "system",
            "timetable": TIMETABLES[0],
            "parameters": {"tag": "v1", "deploy": True},
        },
    )
    assert dict(made) == {
        "provider": "schedule",
        "cron_expression": "0 3 * * MON,TUE,WED,THU,FRI",
        "attribution_actor": "system",
        "checkout_ref": "refs/tags/v1",
        "config_ref": "refs/tags/v1",
        "parameters": {"deploy": True},
    }


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ({"timetable": {"per_hour": 7, "hours_of_day": [1], "days_of_week": ["MON"]}},
         "per_hour 7 does not divide an hour evenly"),
        ({"attribution_actor": "keep", "timetable": TIMETABLES[0]}, "'keep' has no"),
        ({"timetable": {"per_hour": 1, "hours_of_day": [24], "days_of_week": ["MON"]}},
         "hour field: 24 is outside 0-23"),  # legacy hours are described as 0-24
        ({"timetable": TIMETABLES[0], "parameters": {"fast": True}}, "no branch or tag"),
    ],
)  # fmt: skip
def test_what_no_trigger_states_is_refused(schedule: dict[str, Any], words: str) -> None:
    with pytest.raises(NotConvertible, match=words):
        trigger_of("s", {"parameters": {"branch": "main"}, **schedule})


MANIFEST = """\
version: 1
organization: gh/acme
projects:
  gh/acme/api:
    # the API's pipelines
    pipeline_definitions:
      build:
        config_source: {repo: acme/api, file_path: .circleci/config.yml}
        checkout_source: {repo: acme/api}
        triggers:
          push: {provider: github_app, event_preset: all-pushes}  # every push
    schedules:
      nightly:
        description: Nightly build
        timetable: {per_hour: 1, hours_of_day: [3], days_of_week: [MON]}
        parameters: {branch: main}
"""


def test_the_manifest_is_rewritten_with_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST)
    result = convert(path, "github/acme/api")
    assert path.read_text() == MANIFEST  # nothing written
    assert "# the API's pipelines" in result.text and "# every push" in result.text
    assert "+          nightly:" in result.diff and "cron_expression: 0 3 * * MON" in result.text
    assert "# was the schedule: Nightly build" in result.text
    assert "schedules: {}" in result.text and result.triggers == ["nightly"]
    bad = MANIFEST.replace("per_hour: 1", "per_hour: 7")
    path.write_text(bad)
    with pytest.raises(NotConvertible, match="nightly"):
        convert(path, "gh/acme/api")


def test_every_schedule_that_cannot_convert_is_named_at_once(tmp_path: Path) -> None:
    path = tmp_path / "circleci.yaml"
    text = MANIFEST.replace("per_hour: 1", "per_hour: 7") + (
        "      weekly:\n"
        "        timetable: {per_hour: 1, hours_of_day: [24], days_of_week: [SUN]}\n"
        "        parameters: {branch: main}\n"
    )
    path.write_text(text)
    with pytest.raises(NotConvertible) as caught:
        convert(path, "gh/acme/api")
    assert "schedule 'nightly': per_hour 7" in str(caught.value)
    assert "schedule 'weekly': hour field: 24" in str(caught.value)
    assert path.read_text() == text
