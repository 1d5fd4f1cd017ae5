"""Legacy schedules converted to schedule triggers and applied: the triggers are made before
the legacy schedules go, so there is never a moment with neither; a failed trigger keeps its
legacy schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.resources import cron
from tests.e2e.harness import TOKEN, Cli

NIGHTLY = {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON", "WED"]}
HOURLY = {"per_hour": 4, "hours_of_day": [8, 9], "days_of_month": [1, 15], "months": ["JAN"]}
SCHEDULES = {
    "nightly": {
        "attribution_actor": "system",
        "timetable": NIGHTLY,
        "parameters": {"branch": "main"},
    },
    "hourly": {"timetable": HOURLY, "parameters": {"branch": "release", "fast": True}},
}
DEFINITION = {
    "config_source": {"repo": "acme/api", "file_path": ".circleci/config.yml"},
    "checkout_source": {"repo": "acme/api"},
    "triggers": {"push": {"provider": "github_app", "event_preset": "all-pushes"}},
}
SEED = {
    "users": [{"login": "alice", "token": TOKEN, "organizations": ["gh/acme"]}],
    "organizations": {
        "gh/acme": {
            "projects": {
                "gh/acme/api": {
                    "repository": {"full_name": "acme/api", "external_id": "10001"},
                    "pipeline_definitions": {"build": DEFINITION},
                    "schedules": SCHEDULES,
                }
            }
        }
    },
}
MANIFEST = """\
version: 1
organization: gh/acme
projects:
  gh/acme/api:
    pipeline_definitions:
      build:  # the only pipeline
        config_source: {repo: acme/api, file_path: .circleci/config.yml}
        checkout_source: {repo: acme/api}
        triggers:
          push: {provider: github_app, event_preset: all-pushes}
    schedules:
      nightly:
        attribution_actor: system
        timetable: {per_hour: 1, hours_of_day: [3], days_of_week: [MON, WED]}
        parameters: {branch: main}
      hourly:
        timetable:
          per_hour: 4
          hours_of_day: [8, 9]
          days_of_month: [1, 15]
          months: [JAN]
        parameters: {branch: release, fast: true}
"""
ADDR = "project[gh/acme/api]"


@pytest.fixture
def world(emulator_factory: Any) -> Any:
    return emulator_factory(seed=SEED, tokens=())


def _converted(cli: Cli, tmp_path: Path) -> Path:
    path = tmp_path / "circleci.yaml"
    path.write_text(MANIFEST)
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
    shown = cli("convert-schedules", path, "--project", "gh/acme/api")
    assert shown.exit_code == 0 and "+            cron_expression: 0 3 * * MON,WED" in shown.stdout
    assert path.read_text() == MANIFEST  # only shown
    assert cli("convert-schedules", path, "--project", "gh/acme/api", "--write").exit_code == 0
    assert "# the only pipeline" in path.read_text()
    return path


def test_converting_and_applying_leaves_triggers_with_the_same_timetables(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = _converted(cli, tmp_path)
    plan = cli("plan", path, "--format", "json").json()
    by = {c["address"]: c for c in plan["changes"]}
    made = [f"{ADDR}.pipeline_definition[build].trigger[{n}]" for n in ("hourly", "nightly")]
    for name in ("hourly", "nightly"):
        gone = by[f"{ADDR}.schedule[{name}]"]
        assert gone["action"] == "delete" and set(made) <= set(gone["requires"])
    assert all(by[a]["action"] == "create" for a in made)

    world.reset_requests()
    assert cli("apply", path, "--auto-approve").exit_code == 0
    writes = [(r["method"], r["path"]) for r in world.requests() if r["method"] != "GET"]
    last_create = max(i for i, (m, p) in enumerate(writes) if m == "POST")
    first_delete = min(i for i, (m, p) in enumerate(writes) if m == "DELETE")
    assert last_create < first_delete  # never a moment with neither
    state = world.state()
    assert state["schedules"] == {}
    triggers = {
        t["event_name"]: t
        for t in state["tables"]["pipeline_triggers"].values()
        if t.get("event_name")
    }
    assert triggers["nightly"]["cron_expression"] == cron.from_timetable(NIGHTLY)
    assert triggers["nightly"]["attribution_actor"] == "system"
    assert triggers["hourly"]["cron_expression"] == "*/15 8,9 1,15 JAN *"
    assert triggers["hourly"]["parameters"] == {"fast": True}
    assert triggers["hourly"]["checkout_ref"] == "release"
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_a_trigger_that_fails_keeps_its_legacy_schedule(
    cli: Cli, world: Any, tmp_path: Path, contract_observer: Any
) -> None:
    from tests.emulator.helpers import off_spec

    path = _converted(cli, tmp_path)
    world.fault({"mode": "status", "arg": "400", "method": "POST", "route": "*/triggers"})
    with off_spec(contract_observer, "-> 400"):
        run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 1
    assert {s["name"] for s in world.state()["schedules"].values()} == {"nightly", "hourly"}
    assert "requires" in run.stdout  # skipped for its trigger, not for the token


def test_validate_warns_of_legacy_schedules_beside_github_app_definitions(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "circleci.yaml"
    path.write_text(MANIFEST)
    run = cli("validate", path)
    assert run.exit_code == 0
    assert "Warning: gh/acme/api: declares legacy schedules beside GitHub App" in run.stderr
    assert cli("convert-schedules", path, "--project", "gh/acme/api", "--write").exit_code == 0
    assert "Warning" not in cli("validate", path).stderr


def test_a_timetable_no_cron_states_is_refused_and_nothing_written(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "circleci.yaml"
    text = MANIFEST.replace("per_hour: 4", "per_hour: 7")
    path.write_text(text)
    run = cli("convert-schedules", path, "--project", "gh/acme/api", "--write")
    assert run.exit_code == 1
    assert "schedule 'hourly': per_hour 7 does not divide an hour evenly" in run.stderr
    assert path.read_text() == text
    run = cli("convert-schedules", path, "--project", "gh/acme/web")
    assert run.exit_code == 1 and "project gh/acme/web is not in the manifest" in run.stderr
