"""Behaviour of the real API around projects that the emulator used to hide (evidence in
reconciler/emulator/README.md, "Evidence from CircleCI's own clients")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.e2e.harness import TOKEN, Cli, write_manifest, writes

NEW = {"version": 1, "organization": "gh/acme", "projects": {"gh/acme/new": {"create": True}}}


def followed(world: Any) -> set[str]:
    resp = requests.get(
        world.url + "/api/v1.1/projects", headers={"Circle-Token": TOKEN}, timeout=10
    )
    resp.raise_for_status()
    return {p["reponame"] for p in resp.json()}


def test_create_follows_a_classic_project_and_replans_empty(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    # Official provider internal/circleci/project/project.go follows after the v2 create;
    # circleci-cli PR #1647: "a project created through the API is not followed".
    path = write_manifest(tmp_path, NEW)
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "new" in followed(world)
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_an_interrupted_create_is_followed_by_the_next_apply(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    # The v2 create happened, the follow did not (the run was killed in between).
    resp = requests.post(
        world.url + "/api/v2/organization/gh/acme/project",
        json={"name": "new"},
        headers={"Circle-Token": TOKEN},
        timeout=10,
    )
    assert resp.status_code == 200 and "new" not in followed(world)
    path = write_manifest(tmp_path, NEW)
    plan = cli("plan", path, "--format", "json").json()
    assert [(c["address"], c["action"]) for c in plan["changes"]] == [
        ("project[gh/acme/new]", "update")
    ]
    world.reset_requests()
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert [r["path"] for r in writes(world.requests())] == [
        "/api/v1.1/project/github/acme/new/follow"
    ]
    assert "new" in followed(world)
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
