"""Pipeline definitions and triggers end to end against the emulator: create, update in
place, replace, delete and no-op for both kinds; a second plan is empty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.harness import TOKEN, Cli, write_manifest
from tests.e2e.pipelines_seed import ORG, SLUG, definitions, manifest, seed, triggers

DEF = f"project[{SLUG}].pipeline_definition"


@pytest.fixture
def world(emulator_factory: Any) -> Any:
    return emulator_factory(seed=seed(), tokens=(), page_size=2)


def _plan(cli: Cli, path: Path) -> dict[str, tuple[str, list[str]]]:
    run = cli("plan", path, "--format", "json")
    assert run.exit_code == 0, run.stdout + run.stderr
    return {c["address"]: (c["action"], c.get("changed_fields", [])) for c in run.json()["changes"]}


def _apply(cli: Cli, path: Path, *flags: str) -> None:
    run = cli("apply", path, "--auto-approve", *flags)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0  # a second plan is empty


def test_create_then_no_op(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, manifest())
    assert _plan(cli, path) == {
        f"{DEF}[build].trigger[prs]": ("create", []),
        f"{DEF}[build].trigger[nightly]": ("create", []),
        f"{DEF}[build].trigger[alerts]": ("create", []),
        f"{DEF}[docs]": ("create", []),
    }
    _apply(cli, path)
    state = world.state()
    assert set(definitions(state)) == {"build", "docs"}
    made = {t["provider"]: t for t in triggers(state, "build")}
    assert made["schedule"]["cron_expression"] == "0 2 * * *"
    assert made["schedule"]["attribution_actor"] == "system"
    assert made["webhook"]["sender"] == "datadog"


def test_update_in_place_for_both_kinds(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = manifest()
    path = write_manifest(tmp_path, data)
    _apply(cli, path)
    before = {t["provider"]: t["id"] for t in triggers(world.state(), "build")}
    build = data["projects"][SLUG]["pipeline_definitions"]["build"]
    build["description"] = "Main pipeline, v2"
    build["config_source"]["file_path"] = ".circleci/main.yml"
    build["triggers"]["push"]["event_preset"] = "default-branch-pushes"
    build["triggers"]["nightly"]["cron_expression"] = "30 1 * * 1-5"
    build["triggers"]["nightly"]["parameters"] = {"deploy": True}
    build["triggers"]["alerts"]["sender"] = "pagerduty"
    build["triggers"]["alerts"]["disabled"] = True
    path = write_manifest(tmp_path, data)
    assert _plan(cli, path) == {
        f"{DEF}[build]": ("update", ["description", "file_path"]),
        f"{DEF}[build].trigger[push]": ("update", ["event_preset"]),
        f"{DEF}[build].trigger[nightly]": ("update", ["cron_expression", "parameters"]),
        f"{DEF}[build].trigger[alerts]": ("update", ["disabled", "sender"]),
    }
    _apply(cli, path)
    state = world.state()
    assert definitions(state)["build"]["file_path"] == ".circleci/main.yml"
    after = {t["provider"]: t for t in triggers(state, "build")}
    assert {p: t["id"] for p, t in after.items()} == before  # the same objects
    assert after["webhook"]["disabled"] is True and after["webhook"]["sender"] == "pagerduty"


def test_replace_makes_the_new_object_before_the_old_goes(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = manifest()
    path = write_manifest(tmp_path, data)
    _apply(cli, path)
    old = definitions(world.state())["build"]["id"]
    build = data["projects"][SLUG]["pipeline_definitions"]["build"]
    build["config_source"]["repo"] = "acme/docs"  # the config repository cannot change
    build["triggers"]["prs"]["disabled"] = True  # nor `disabled` of a repository trigger
    path = write_manifest(tmp_path, data)
    plan = _plan(cli, path)
    assert plan[f"{DEF}[build]"] == ("replace", ["config_repo"])
    assert {a: p[0] for a, p in plan.items() if ".trigger[" in a} == {
        f"{DEF}[build].trigger[{n}]": "replace" for n in ("push", "prs", "nightly", "alerts")
    }
    world.reset_requests()
    _apply(cli, path)
    sent = [(r["method"], r["path"]) for r in world.requests() if r["method"] != "GET"]
    creates = [i for i, (m, p) in enumerate(sent) if m == "POST" and p.endswith("definitions")]
    deletes = [i for i, (m, p) in enumerate(sent) if m == "DELETE" and old in p]
    assert creates and deletes and creates[0] < deletes[0]
    state = world.state()
    assert definitions(state)["build"]["id"] != old
    assert len(triggers(state, "build")) == 4
    assert {
        t["disabled"] for t in triggers(state, "build") if t.get("event_preset") == "only-open-prs"
    } == {True}


def test_delete_counts_a_definitions_triggers(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = manifest()
    path = write_manifest(tmp_path, data)
    _apply(cli, path)
    defs = data["projects"][SLUG]["pipeline_definitions"]
    del defs["build"]["triggers"]["alerts"]
    del defs["docs"]
    path = write_manifest(tmp_path, data)
    assert _plan(cli, path) == {
        f"{DEF}[build].trigger[alerts]": ("delete", []),
        f"{DEF}[docs]": ("delete", []),
    }
    _apply(cli, path)
    del defs["build"]
    data["policy"] = {"max_deletes": 3}
    path = write_manifest(tmp_path, data)
    plan = cli("plan", path, "--format", "json").json()
    assert plan["summary"]["delete"] == 4  # the definition and its three triggers
    assert any("max_deletes" in r for r in plan["refusals"])
    assert cli("apply", path, "--auto-approve").exit_code != 0
    _apply(cli, path, "--allow-deletes")
    assert definitions(world.state()) == {}
    assert world.state()["tables"]["pipeline_triggers"] == {}


def test_triggers_left_out_are_left_alone(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = manifest()
    del data["projects"][SLUG]["pipeline_definitions"]["build"]["triggers"]
    path = write_manifest(tmp_path, data)
    assert _plan(cli, path) == {f"{DEF}[docs]": ("create", [])}


def test_drift_reports_hand_edits(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, manifest())
    _apply(cli, path)
    state = world.state()
    build = definitions(state)["build"]
    hook = next(t for t in triggers(state, "build") if t["provider"] == "webhook")
    base = f"{world.api}/projects/{build['project_id']}"
    headers = {"Circle-Token": TOKEN}
    requests.patch(
        f"{base}/triggers/{hook['id']}", json={"disabled": True}, headers=headers, timeout=10
    ).raise_for_status()
    requests.patch(
        f"{base}/pipeline-definitions/{build['id']}",
        json={"config_source": {"file_path": ".circleci/other.yml"}},
        headers=headers,
        timeout=10,
    ).raise_for_status()
    drift = cli("drift", path, "--format", "json")
    assert drift.exit_code == 2
    changed = {o["address"] for o in drift.json()["objects"] if o["status"] == "changed"}
    assert changed == {f"{DEF}[build]", f"{DEF}[build].trigger[alerts]"}
    text = cli("drift", path, "--no-color").stdout
    assert ".circleci/other.yml" in text and "disabled" in text
    assert "secret=" not in drift.stdout + text


def test_export_then_plan_is_empty(cli: Cli, world: Any, tmp_path: Path) -> None:
    _apply(cli, write_manifest(tmp_path, manifest()))
    out = tmp_path / "exported.yaml"
    run = cli("export", "--org", ORG, "--project", SLUG, "--output", out)
    assert run.exit_code == 0, run.stdout + run.stderr
    text = out.read_text()
    assert "pipeline_definitions:" in text and "cron_expression: 0 2 * * *" in text
    assert "secret=" not in text and "hooks/" not in text
    assert "CircleCI made a URL with a secret" in text
    plan = cli("plan", out, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr


def test_a_repository_no_definition_names_needs_its_id(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = manifest()
    docs = data["projects"][SLUG]["pipeline_definitions"]["docs"]
    docs["checkout_source"]["repo"] = "acme/docs"  # no definition names it yet
    docs["triggers"] = {"push": {"provider": "github_app", "repo": "acme/web"}}  # nor this
    docs["triggers"]["push"].update(checkout_ref="main", config_ref="main")
    run = cli("plan", write_manifest(tmp_path, data))
    assert run.exit_code == 1
    assert "repository acme/docs: no pipeline definition of the project names it" in run.stderr
    assert "repository acme/web: no pipeline definition" in run.stderr  # every one at once
    del docs["triggers"]
    docs["checkout_source"]["repo"] = {"full_name": "acme/api", "external_id": "1"}
    run = cli("plan", write_manifest(tmp_path, data))
    assert run.exit_code == 1 and "CircleCI's definitions name it 10001" in run.stderr


def test_a_replace_that_would_lose_triggers_left_alone_stops_the_plan(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    """Without `triggers` a definition's triggers are left alone; a replace would delete them
    with the old definition and make none on the new one, so the plan stops and names them."""
    data = manifest()
    _apply(cli, write_manifest(tmp_path, data))
    before = triggers(world.state(), "build")
    build = data["projects"][SLUG]["pipeline_definitions"]["build"]
    build["config_source"]["repo"] = "acme/docs"
    del build["triggers"]
    path = write_manifest(tmp_path, data)
    for command in ("plan", "apply"):
        run = cli(command, path, *(["--auto-approve"] if command == "apply" else []))
        assert run.exit_code != 0
        assert f"{DEF}[build].trigger[nightly]" in run.stderr and "would be lost" in run.stderr
    assert triggers(world.state(), "build") == before
    drift = cli("drift", path)
    assert "would be lost" not in drift.stderr and "config_repo" in drift.stdout
