"""Pipeline definitions and triggers under faults: answers lost after the write, 5xx in the
middle of a create or a replace. The next runs repair it, with nothing made twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.harness import TOKEN, Cli, write_manifest
from tests.e2e.pipelines_seed import PROJECT_ID, SLUG, definitions, manifest, seed, triggers

DEF = f"project[{SLUG}].pipeline_definition"


def _no_duplicates(state: dict[str, Any]) -> None:
    defs = state["tables"].get("pipeline_definitions", {})
    names = Counter((d["project_id"], d["name"]) for d in defs.values())
    assert not names or max(names.values()) == 1, names
    kinds = Counter(
        (t["definition_id"], t["provider"], t.get("event_name"), t.get("event_preset"))
        for t in state["tables"].get("pipeline_triggers", {}).values()
    )
    assert not kinds or max(kinds.values()) == 1, kinds
    owners = {t["definition_id"] for t in state["tables"].get("pipeline_triggers", {}).values()}
    assert owners <= set(defs)


def _converge(cli: Cli, path: Path, runs: int = 6) -> int:
    for attempt in range(1, runs + 1):
        cli("apply", path, "--auto-approve", "--allow-deletes", "--force")
        if cli("plan", path, "--detailed-exitcode").exit_code == 0:
            return attempt
    return 0


@pytest.mark.parametrize("fault_seed", [3, 5])
def test_create_and_replace_converge_without_duplicates(
    emulator_factory: Any, tmp_path: Path, fault_seed: int
) -> None:
    world = emulator_factory(
        seed=seed(), tokens=(), page_size=2, fault_rate=0.35, fault_seed=fault_seed
    )
    cli = Cli(host=world.url)
    data = manifest()
    path = write_manifest(tmp_path, data)
    assert _converge(cli, path)
    _no_duplicates(world.state())
    build = data["projects"][SLUG]["pipeline_definitions"]["build"]
    build["config_source"]["repo"] = "acme/docs"
    build["triggers"]["prs"]["disabled"] = True
    path = write_manifest(tmp_path, data)
    assert _converge(cli, path)
    _no_duplicates(world.state())
    statuses = Counter(r["status"] for r in world.requests())
    assert statuses[0] and any(s >= 500 for s in statuses), statuses  # answers were lost


def _post(world: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(
        f"{world.url}/api/v2/projects/{PROJECT_ID}/{path}",
        headers={"Circle-Token": TOKEN},
        json=body,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _changes(cli: Cli, path: Path) -> dict[str, str]:
    run = cli("plan", path, "--format", "json")
    assert run.exit_code == 0, run.stdout + run.stderr
    return {c["address"]: c["action"] for c in run.json()["changes"]}


def test_a_replace_cut_short_is_finished_not_begun_again(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """The new definition and one new trigger made, then the run killed: the next run keeps
    them, makes the triggers still missing and deletes the old ones; nothing is made twice."""
    world = emulator_factory(seed=seed(), tokens=(), page_size=2)
    cli = Cli(host=world.url)
    data = manifest()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    old = definitions(world.state())["build"]["id"]
    build = data["projects"][SLUG]["pipeline_definitions"]["build"]
    build["config_source"]["repo"] = "acme/docs"
    path = write_manifest(tmp_path, data)
    new = _post(
        world,
        "pipeline-definitions",
        {
            "name": "build",
            "description": "Main pipeline",
            "config_source": {
                "provider": "github_app",
                "repo": {"external_id": "20002"},
                "file_path": ".circleci/config.yml",
            },
            "checkout_source": {"provider": "github_app", "repo": {"external_id": "10001"}},
        },
    )["id"]
    _post(
        world,
        f"pipeline-definitions/{new}/triggers",
        {
            "event_source": {"provider": "github_app", "repo": {"external_id": "10001"}},
            "event_preset": "all-pushes",
        },
    )
    changes = _changes(cli, path)
    assert changes[f"{DEF}[build].trigger[prs]"] == "create"
    assert f"{DEF}[build]" not in changes  # kept: not replaced a second time
    assert f"{DEF}[build].trigger[push]" not in changes
    assert changes[f"{DEF}[build:{old}]"] == "delete"
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert definitions(world.state())["build"]["id"] == new
    assert len(triggers(world.state(), "build")) == 4
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize("name", ["prs", "nightly"])
def test_a_trigger_replace_cut_short_keeps_the_new_trigger(
    emulator_factory: Any, tmp_path: Path, name: str
) -> None:
    world = emulator_factory(seed=seed(), tokens=(), page_size=2)
    cli = Cli(host=world.url)
    data = manifest()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    build = data["projects"][SLUG]["pipeline_definitions"]["build"]
    build["triggers"][name]["disabled"] = True  # only a webhook trigger's can change
    path = write_manifest(tmp_path, data)
    before = {t["id"] for t in triggers(world.state(), "build")}
    body: dict[str, Any] = {
        "event_source": {"provider": "github_app", "repo": {"external_id": "10001"}},
        "event_preset": "only-open-prs",
        "disabled": True,
    }
    if name == "nightly":
        body = {
            "event_source": {
                "provider": "schedule",
                "schedule": {"cron_expression": "0 2 * * *", "attribution_actor": "system"},
            },
            "event_name": "nightly",
            "checkout_ref": "main",
            "config_ref": "main",
            "parameters": {"deploy": False},
            "disabled": True,
        }
    made = _post(
        world, f"pipeline-definitions/{definitions(world.state())['build']['id']}/triggers", body
    )
    changes = _changes(cli, path)
    assert list(changes.values()) == ["delete"], changes  # only the old one goes
    assert cli("apply", path, "--auto-approve").exit_code == 0
    left = {t["id"] for t in triggers(world.state(), "build")}
    assert made["id"] in left and len(left) == len(before)
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_every_create_answer_lost_makes_nothing_twice(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """Each POST is written, then its answer cut off: the probe finds what it made."""
    world = emulator_factory(
        seed=seed(),
        tokens=(),
        fault_rules=["reset,method=POST,route=/api/v2/projects/*/pipeline-definitions*"],
    )
    cli = Cli(host=world.url)
    data = manifest()
    build = data["projects"][SLUG]["pipeline_definitions"]["build"]
    build["config_source"]["repo"] = "acme/docs"  # a replace: a definition and 4 triggers
    path = write_manifest(tmp_path, data)
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    posts = [r for r in world.requests() if r["method"] == "POST"]
    assert len(posts) == 1 + 1 + 4  # docs, build, and build's triggers: each sent once
    _no_duplicates(world.state())
    assert len(triggers(world.state(), "build")) == 4
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
