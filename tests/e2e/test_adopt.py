"""Variables adopted without their values (`NAME: {}`): they must exist, and nothing writes,
compares or deletes them while they are declared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import (
    TOKEN,
    Cli,
    context_by_name,
    project_by_slug,
    write_manifest,
    writes,
)

KEY = {"CIRCLECI_RECONCILER_LEDGER_KEY": "k3y-for-tests"}
LIVE = {"NPM_TOKEN": "adopted-npm-value", "AWS_KEY": "adopted-aws-value", "REGION": "eu-west-1"}
NO_SOURCES: dict[str, str | None] = {name: None for name in ("NPM_TOKEN", "PROD_KEY_ID")}


@pytest.fixture
def world(emulator_factory: Any) -> Any:
    seed = {
        "users": [{"login": "alice", "token": TOKEN, "organizations": ["gh/acme"]}],
        "organizations": {
            "gh/acme": {
                "projects": {"gh/acme/api": {"env_vars": {"NPM_TOKEN": LIVE["NPM_TOKEN"]}}},
                "contexts": {
                    "aws-prod": {"env_vars": {"AWS_KEY": LIVE["AWS_KEY"], "REGION": LIVE["REGION"]}}
                },
            }
        },
    }
    return emulator_factory(seed=seed, tokens=(), page_size=2)


def manifest(**extra_context_vars: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "organization": "gh/acme",
        "projects": {"gh/acme/api": {"env_vars": {"NPM_TOKEN": {}, "LOG_LEVEL": "debug"}}},
        "contexts": {
            "aws-prod": {
                "env_vars": {"AWS_KEY": {}, "REGION": {"protect": True}, **extra_context_vars}
            }
        },
    }


def _times(world: Any) -> dict[str, Any]:
    state = world.state()
    project = project_by_slug(state, "gh/acme/api")["env_vars"]
    context = context_by_name(state, "aws-prod")["env_vars"]
    return {
        "NPM_TOKEN": project["NPM_TOKEN"]["created_at"],
        "AWS_KEY": context["AWS_KEY"]["updated_at"],
        "REGION": context["REGION"]["updated_at"],
    }


def test_adopted_variables_stay_untouched_through_apply(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, manifest())
    ledger = tmp_path / "ledger.json"
    before = _times(world)
    plan = cli("plan", path, "--format", "json", env=NO_SOURCES)
    assert plan.exit_code == 0, plan.stderr
    changes = {c["address"]: c["action"] for c in plan.json()["changes"]}
    assert changes == {"project[gh/acme/api].env_var[LOG_LEVEL]": "create"}
    notes = [n for n in plan.json()["notes"] if "adopted without values" in n]
    # Said once per collection, with the count, however many variables it holds.
    assert sorted(notes) == [
        "context[aws-prod]: 2 env vars adopted without values ({}): never written, compared "
        "or deleted while declared",
        "project[gh/acme/api]: 1 env var adopted without values ({}): never written, compared "
        "or deleted while declared",
    ]

    world.reset_requests()
    run = cli("apply", path, "--auto-approve", "--ledger", ledger, env={**NO_SOURCES, **KEY})
    assert run.exit_code == 0, run.stderr
    written = [w["path"] for w in writes(world.requests())]
    assert len(written) == 1 and written[0].endswith("/envvar"), written
    assert _times(world) == before
    state = world.state()
    assert (
        project_by_slug(state, "gh/acme/api")["env_vars"]["NPM_TOKEN"]["value"] == LIVE["NPM_TOKEN"]
    )
    assert context_by_name(state, "aws-prod")["env_vars"]["AWS_KEY"]["value"] == LIVE["AWS_KEY"]
    entries = json.loads(ledger.read_text())["entries"]
    assert list(entries) == ["project[gh/acme/api].env_var[LOG_LEVEL]"]  # no adopted entry

    again = cli("plan", path, "--detailed-exitcode", "--ledger", ledger, env={**NO_SOURCES, **KEY})
    assert again.exit_code == 0, again.stdout
    # --rewrite-secrets writes what cannot be compared; an adopted value has no source at all.
    world.reset_requests()
    rewrite = ("apply", path, "--auto-approve", "--rewrite-secrets")
    assert cli(*rewrite, "--ledger", ledger, env=KEY).exit_code == 0
    assert not [w for w in writes(world.requests()) if "NPM_TOKEN" in w["path"]]
    assert _times(world) == before
    drift = cli("drift", path, "--format", "json", "--ledger", ledger, env=KEY)
    assert drift.exit_code == 0, drift.stdout
    for text in cli.outputs:  # nothing read from CircleCI is shown
        assert not any(value in text for value in LIVE.values())


def test_removing_an_adopted_variable_plans_its_deletion(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = manifest()
    del data["projects"]["gh/acme/api"]["env_vars"]["NPM_TOKEN"]
    del data["contexts"]["aws-prod"]["env_vars"]["AWS_KEY"]
    path = write_manifest(tmp_path, data)
    plan = cli("plan", path, "--format", "json")
    assert plan.exit_code == 0, plan.stderr
    actions = {c["address"]: c["action"] for c in plan.json()["changes"]}
    assert actions["project[gh/acme/api].env_var[NPM_TOKEN]"] == "delete"
    assert actions["context[aws-prod].env_var[AWS_KEY]"] == "delete"
    assert cli("apply", path, "--auto-approve").exit_code == 0
    state = world.state()
    assert "NPM_TOKEN" not in project_by_slug(state, "gh/acme/api")["env_vars"]
    assert "REGION" in context_by_name(state, "aws-prod")["env_vars"]


def test_a_missing_adopted_variable_stops_plan_and_apply_before_any_write(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, manifest(GONE={}, ALSO_GONE={"protect": True}))
    world.reset_requests()
    for command in (("plan", path), ("apply", path, "--auto-approve")):
        run = cli(*command)
        assert run.exit_code == 1
        lines = [line for line in run.stderr.splitlines() if "nothing can create it" in line]
        assert len(lines) == 2, run.stderr  # every one at once, each at its place
        assert all(line.startswith(f"{path}:") for line in lines)
        assert "context[aws-prod].env_var[GONE]" in lines[0]
        assert "context[aws-prod].env_var[ALSO_GONE]" in lines[1]
        assert "2 problems found." in run.stderr
    assert writes(world.requests()) == []
    drift = cli("drift", path, "--format", "json")
    assert drift.exit_code == 2
    objects = {o["address"]: o["status"] for o in drift.json()["objects"]}
    assert objects["context[aws-prod].env_var[GONE]"] == "missing"
    assert objects["context[aws-prod].env_var[AWS_KEY]"] == "ok"
