"""Guard rails: saved plans, deletion threshold, protect, mass updates, missing secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from tests.e2e.harness import TOKEN, Cli, complete, context_by_name, write_manifest, writes


def test_saved_plan_applies_when_fresh_and_holds_no_secret(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    planfile = tmp_path / "plan.json"
    assert cli("plan", path, "--out", planfile).exit_code == 0
    saved = json.loads(planfile.read_text())
    assert saved["plan"]["checksum"].startswith("sha256:")
    cli.assert_no_secrets(planfile)
    run = cli("apply", "--plan", planfile, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_stale_saved_plan_is_refused_with_no_write(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    planfile = tmp_path / "plan.json"
    assert cli("plan", path, "--out", planfile).exit_code == 0
    # Someone changes CircleCI between review and apply.
    orgs = requests.get(
        f"{world.api}/me/collaborations", headers={"Circle-Token": TOKEN}, timeout=5
    ).json()
    org = next(o for o in orgs if o["slug"] == "gh/acme")
    requests.post(
        f"{world.api}/context",
        json={"name": "tmp-sneaky", "owner": {"id": org["id"], "type": "organization"}},
        headers={"Circle-Token": TOKEN},
        timeout=5,
    ).raise_for_status()
    world.reset_requests()
    run = cli("apply", "--plan", planfile, "--auto-approve")
    assert run.exit_code == 1
    assert "plan is stale" in run.stderr
    assert writes(world.requests()) == []


def test_stale_when_manifest_changed(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    planfile = tmp_path / "plan.json"
    assert cli("plan", path, "--out", planfile).exit_code == 0
    data["projects"]["gh/acme/api"]["env_vars"]["EXTRA"] = "x"
    write_manifest(tmp_path, data)
    world.reset_requests()
    run = cli("apply", "--plan", planfile, "--auto-approve")
    assert run.exit_code == 1 and "plan is stale" in run.stderr
    assert writes(world.requests()) == []


def test_deletion_threshold_needs_allow_deletes(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    data["projects"]["gh/acme/api"]["env_vars"].update({f"V{i}": "x" for i in range(4)})
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    data["projects"]["gh/acme/api"]["env_vars"] = {}
    data["policy"]["max_deletes"] = 3
    path = write_manifest(tmp_path, data)
    world.reset_requests()
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 1 and "--allow-deletes" in run.stderr
    assert writes(world.requests()) == []
    run = cli("apply", path, "--auto-approve", "--allow-deletes")
    assert run.exit_code == 0, run.stderr


def test_protected_objects_survive_any_flag(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    data["projects"]["gh/acme/api"]["env_vars"]["KEEP"] = {"value": "x", "protect": True}
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    # The protected variable stays declared; deleting it needs removing `protect` in review.
    data["policy"]["manage_contexts"] = ["*"]
    del data["contexts"]["aws-prod"]["env_vars"]
    path = write_manifest(tmp_path, data)
    run = cli("plan", path, "--format", "json")
    deletes = [c["address"] for c in run.json()["changes"] if c["action"] == "delete"]
    assert "context[aws-prod]" not in deletes
    assert "context[unmanaged]" in deletes  # matched by manage_contexts: ["*"]


def test_mass_update_needs_force(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    data["projects"]["gh/acme/api"]["env_vars"] = {f"V{i}": "aaaa" for i in range(30)}
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    data["projects"]["gh/acme/api"]["env_vars"] = {f"V{i}": "bbbb" for i in range(30)}
    data["projects"]["gh/acme/api"]["settings"]["build_fork_prs"] = True
    path = write_manifest(tmp_path, data)
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 1 and "--force" in run.stderr
    assert cli("apply", path, "--auto-approve", "--force").exit_code == 0


def test_missing_secret_aborts_before_any_request(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    world.reset_requests()
    run = cli("apply", path, "--auto-approve", env={"PROD_SECRET": None})
    run2 = cli("plan", path, env={"NPM_TOKEN": None})
    assert run.exit_code == 1 and run2.exit_code == 1
    assert "PROD_SECRET" in run.stderr and "circleci.yaml:" in run.stderr
    assert world.requests() == []


def test_apply_without_terminal_needs_auto_approve(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    world.reset_requests()
    run = cli("apply", path)
    assert run.exit_code == 1 and "--auto-approve" in run.stderr
    assert world.requests() == []


def test_unknown_project_without_create_is_a_clear_error(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["projects"]["gh/acme/ghost"] = {"env_vars": {}}
    run = cli("plan", write_manifest(tmp_path, data))
    assert run.exit_code == 1
    assert "gh/acme/ghost" in run.stderr and "create: true" in run.stderr
    assert "Traceback" not in run.stderr


def test_protect_context_not_deleted_even_when_pruning(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert context_by_name(world.state(), "aws-prod")


def test_a_saved_plan_applies_from_another_checkout(
    cli: Cli, world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import shutil

    first, second = tmp_path / "one", tmp_path / "two"
    write_manifest(first, complete())
    monkeypatch.chdir(first)
    assert cli("plan", "circleci.yaml", "--out", "plan.json").exit_code == 0
    shutil.copytree(first, second)
    monkeypatch.chdir(second)
    run = cli("apply", "--plan", "plan.json", "--auto-approve")
    assert run.exit_code == 0, run.stderr
    monkeypatch.chdir(tmp_path)
    run = cli("apply", "--plan", "two/plan.json", "--auto-approve")
    assert run.exit_code == 1 and "not here" in run.stderr
