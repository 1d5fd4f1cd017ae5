"""Group restrictions. CircleCI's groups API serves standalone organizations only (newer spec:
"currently only supported for standalone organizations"); in a GitHub OAuth org the groups
are GitHub teams, which a restriction names by id and whose names cannot be listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.harness import (
    PLATFORM_ID,
    TOKEN,
    Cli,
    complete,
    context_by_name,
    write_manifest,
    writes,
)

HEADERS = {"Circle-Token": TOKEN}
ORG_ID = "68129642-b377-4bd1-a534-a94d01d2db25"
ORG = "circleci/DrNsW5SW6K42zooKCzkVek"  # recorded: the key CircleCI derives from ORG_ID


def _standalone(groups: list[str]) -> dict[str, Any]:
    return {
        "version": 1,
        "organization": ORG,
        "contexts": {"deploy": {"restrictions": {"groups": groups}}},
    }


@pytest.fixture
def standalone(emulator_factory: Any) -> tuple[Any, Cli]:
    seed = {
        "users": [{"login": "dev", "token": TOKEN, "organizations": [ORG]}],
        "organizations": {ORG: {"groups": ["platform"], "contexts": {"deploy": {}}}},
    }
    world = emulator_factory(seed=seed, tokens=(), page_size=2)
    return world, Cli(host=world.url)


def _group_values(world: Any, context: str) -> list[str]:
    ctx = context_by_name(world.state(), context)
    return [r["restriction_value"] for r in ctx["restrictions"] if r["restriction_type"] == "group"]


def test_a_classic_org_plans_applies_and_replans_groups_by_id(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    world.reset_requests()
    path = write_manifest(tmp_path, complete())
    plan = cli("plan", path, "--format", "json").json()
    groups = [c for c in plan["changes"] if ".restriction[group:" in c["address"]]
    assert [(c["address"], c["action"]) for c in groups] == [
        (f"context[aws-prod].restriction[group:{PLATFORM_ID}]", "create")
    ]
    refused = [r for r in world.requests() if r["path"].endswith("/groups")]
    assert refused and {r["status"] for r in refused} == {403}  # the emulator as CircleCI
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert _group_values(world, "aws-prod") == [PLATFORM_ID]
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_a_classic_org_restricted_before_by_a_team_replans_empty(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    # The restriction already exists (CircleCI labels it with the team's name): no create
    # and delete of the same restriction, so no 409 on every apply.
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve").exit_code == 0
    world.reset_requests()
    for _ in range(2):
        assert cli("apply", path, "--auto-approve").exit_code == 0
    assert writes(world.requests()) == []


def test_a_group_named_by_name_in_a_classic_org_says_to_write_its_id(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["contexts"]["aws-prod"]["restrictions"]["groups"] = ["platform"]
    world.reset_requests()
    run = cli("plan", write_manifest(tmp_path, data))
    assert run.exit_code == 1
    assert "platform" in run.stderr and "write each group's id instead" in run.stderr
    assert "Traceback" not in run.stderr and writes(world.requests()) == []


def test_a_standalone_org_names_groups_and_accepts_ids(
    standalone: tuple[Any, Cli], tmp_path: Path
) -> None:
    world, cli = standalone
    group_id = next(iter(world.state()["organizations"][ORG_ID]["groups"]))
    data = _standalone(["platform"])
    data["contexts"]["second"] = {"restrictions": {"groups": [group_id.upper()]}}
    path = write_manifest(tmp_path, data)
    plan = cli("plan", path, "--format", "json").json()
    assert "context[deploy].restriction[group:platform]" in {c["address"] for c in plan["changes"]}
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert _group_values(world, "deploy") == _group_values(world, "second") == [group_id]
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_an_unknown_group_name_fails_the_plan(standalone: tuple[Any, Cli], tmp_path: Path) -> None:
    _, cli = standalone
    run = cli("plan", write_manifest(tmp_path, _standalone(["no-such-group"])))
    assert run.exit_code == 1 and "no-such-group" in run.stderr and "do not exist" in run.stderr


def test_group_made_again_is_a_replace(standalone: tuple[Any, Cli], tmp_path: Path) -> None:
    world, cli = standalone
    path = write_manifest(tmp_path, _standalone(["platform"]))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    [old_id] = list(world.state()["organizations"][ORG_ID]["groups"])
    base = f"{world.api}/organizations/{ORG_ID}/groups"
    requests.delete(f"{base}/{old_id}", headers=HEADERS, timeout=5).raise_for_status()
    made = requests.post(base, json={"name": "platform"}, headers=HEADERS, timeout=5)
    assert made.status_code == 201
    new_id = made.json()["id"]

    plan = cli("plan", path, "--format", "json").json()
    [change] = plan["changes"]
    assert change["address"] == "context[deploy].restriction[group:platform]"
    assert change["action"] == "replace"
    assert (change["before"]["ref"], change["after"]["ref"]) == (old_id, new_id)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert _group_values(world, "deploy") == [new_id]
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_drift_reports_a_deleted_group_instead_of_failing(
    standalone: tuple[Any, Cli], tmp_path: Path
) -> None:
    world, cli = standalone
    path = write_manifest(tmp_path, _standalone(["platform"]))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    [gid] = list(world.state()["organizations"][ORG_ID]["groups"])
    requests.delete(
        f"{world.api}/organizations/{ORG_ID}/groups/{gid}", headers=HEADERS, timeout=5
    ).raise_for_status()
    report = cli("drift", path, "--format", "json")
    assert report.exit_code == 2
    statuses = {o["address"]: o["status"] for o in report.json()["objects"]}
    assert statuses["context[deploy].restriction[group:platform]"] == "changed"
    assert cli("plan", path).exit_code == 1  # apply could not make it: the plan says so
