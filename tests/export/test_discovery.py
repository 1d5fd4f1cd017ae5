"""Export with no --project finds the organization's projects (those CircleCI lists for the
token's user: v1.1 follows, as no v2 route lists an organization's projects); a glob picks
among them; the result plans empty with no secret set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.manifest import load_manifest
from tests.export.seed import ORG, TOKEN, seed

STANDALONE_KEY = "DrNsW5SW6K42zooKCzkVek"  # base58 of the seeded organization id


def _run(env: dict[str, str], *args: object) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _seeded_projects() -> set[str]:
    return set(seed()["organizations"][ORG]["projects"])


def test_export_with_no_project_finds_every_project_and_plans_empty(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    out = tmp_path / "acme.yaml"
    exported = _run(env, "export", "--org", ORG, "-o", out)
    assert exported.exit_code == 0, exported.output
    assert "those it follows" in exported.output
    assert set(load_manifest([out]).projects) == _seeded_projects()
    plan = _run(env, "plan", out, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_a_glob_picks_among_the_projects_found(emulator_factory: Any, tmp_path: Path) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    wanted = sorted(_seeded_projects())[0]
    glob = wanted[:-1] + "*"
    out = tmp_path / "acme.yaml"
    exported = _run(env, "export", "--org", ORG, "--project", glob, "-o", out)
    assert exported.exit_code == 0, exported.output
    found = set(load_manifest([out]).projects)
    assert wanted in found
    assert found == {p for p in _seeded_projects() if p.startswith(wanted[:-1])}


def test_a_schedule_made_by_another_user_round_trips(emulator_factory: Any, tmp_path: Path) -> None:
    timetable = {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON"]}
    world = {
        "users": [  # the first member owns what the seed makes
            {"login": "bob", "token": "bob-token", "organizations": [ORG]},
            {"login": "alice", "token": "alice-token", "organizations": [ORG]},
        ],
        "organizations": {
            ORG: {
                "projects": {
                    "gh/acme/api": {
                        "schedules": {
                            "nightly": {"timetable": timetable, "parameters": {"branch": "main"}}
                        }
                    }
                }
            }
        },
    }
    emulator = emulator_factory(seed=world, tokens=(), page_size=2)
    env = {"CIRCLECI_TOKEN": "alice-token", "CIRCLECI_HOST": emulator.url}
    out = tmp_path / "acme.yaml"
    assert _run(env, "export", "--org", ORG, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "attribution_actor: keep" in text and "runs as bob" in text
    plan = _run(env, "plan", out, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    # An edit keeps the attribution: the PATCH leaves it out.
    edited = out.read_text(encoding="utf-8").replace("hours_of_day: [3]", "hours_of_day: [4]")
    out.write_text(edited, encoding="utf-8")
    applied = _run(env, "apply", out, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    (schedule,) = emulator.state()["schedules"].values()
    assert schedule["timetable"]["hours-of-day"] == [4]
    assert schedule["actor"] == next(
        u for u, r in emulator.state()["users"].items() if r["login"] == "bob"
    )


def _api_post(url: str, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(
        f"{url}/api/v2{path}", json=body, headers={"Circle-Token": token}, timeout=10
    )
    assert answer.status_code < 300, answer.text
    result: dict[str, Any] = answer.json()
    return result


@pytest.mark.parametrize("org", [ORG, "circleci/" + STANDALONE_KEY])
def test_projects_named_by_context_restrictions_are_found(
    emulator_factory: Any, tmp_path: Path, org: str
) -> None:
    """A project made through the API is followed by nobody; a context restricted to it
    names it in v2, so export finds it (in a standalone org, only such projects are)."""
    world = {"organizations": {org: {}}}
    emulator = emulator_factory(seed=world, tokens=(TOKEN,), page_size=2)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    made = _api_post(emulator.url, TOKEN, f"/organization/{org}/project", {"name": "hidden"})
    _api_post(emulator.url, TOKEN, f"/organization/{org}/project", {"name": "unnamed"})
    org_id = made["organization_id"]
    context = _api_post(
        emulator.url, TOKEN, "/context", {"name": "deploy", "owner": {"id": org_id}}
    )
    rule = {"restriction_type": "project", "restriction_value": made["id"]}
    _api_post(emulator.url, TOKEN, f"/context/{context['id']}/restrictions", rule)
    out = tmp_path / "acme.yaml"
    exported = _run(env, "export", "--org", org, "-o", out)
    assert exported.exit_code == 0, exported.output
    assert set(load_manifest([out]).projects) == {made["slug"]}
    plan = _run(env, "plan", out, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
