"""plan and apply end to end through the real emulator, for every kind and action."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import (
    PLATFORM_ID,
    SECRETS,
    Cli,
    complete,
    context_by_name,
    project_by_slug,
    write_manifest,
    writes,
)
from tests.support.kinds import CONTRACT_KINDS

# Pipeline definitions and triggers need a GitHub App repository (test_pipelines.py); config
# policies live in files beside a manifest and plan through CircleCI's dry run, a POST
# (test_config_policies.py).
KINDS = CONTRACT_KINDS - {
    "pipeline_definition",
    "pipeline_trigger",
    "config_policy",
    "config_policy_settings",
}


def plan_json(cli: Cli, path: Path, *extra: str) -> dict[str, Any]:
    run = cli("plan", path, "--format", "json", *extra)
    assert run.exit_code == 0, run.stderr
    return run.json()


def by_address(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["address"]: c for c in plan["changes"]}


def test_plan_creates_every_kind_in_dependency_order(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    data["organization_settings"] = {
        "oidc_claims": {"ttl": "1h"},
        "url_orb_allow_list": {"orbs": {"prefix": "https://github.com/acme/orbs/"}},
    }
    data["projects"]["gh/acme/api"]["oidc_claims"] = {"audience": ["sts.amazonaws.com"]}
    path = write_manifest(tmp_path, data)
    plan = plan_json(cli, path)
    changes = by_address(plan)
    assert {c["kind"] for c in plan["changes"]} == KINDS
    assert plan["format_version"] == 1 and plan["organization"] == "gh/acme"
    assert plan["checksum"].startswith("sha256:")
    assert plan["summary"]["delete"] == 0
    assert changes["project[gh/acme/new]"]["action"] == "create"
    assert changes["project[gh/acme/api].settings"]["action"] == "update"
    assert set(changes["project[gh/acme/api].settings"]["changed_fields"]) == {
        "autocancel_builds",
        "pr_only_branch_overrides",
    }
    # A new context is restricted before any secret is written into it.
    ctx = changes["context[aws-prod]"]
    env = changes["context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]"]
    restrictions = [c for a, c in changes.items() if ".restriction[" in a]
    assert {r["address"] for r in restrictions} == {
        "context[aws-prod].restriction[project:gh/acme/api]",
        "context[aws-prod].restriction[project:gh/acme/other]",
        'context[aws-prod].restriction[expression:pipeline.git.branch == "main"]',
        f"context[aws-prod].restriction[group:{PLATFORM_ID}]",
    }
    assert all(ctx["wave"] < r["wave"] < env["wave"] for r in restrictions)
    assert env["after"]["value"] == "(sensitive)"
    # A child of a project being created waits for it.
    assert changes["project[gh/acme/new].env_var[MODE]"]["requires"] == ["project[gh/acme/new]"]
    assert "declared in the manifest" in ctx["reason"]


def test_plan_makes_no_write_and_detailed_exitcode(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    world.reset_requests()
    run = cli("plan", path, "--detailed-exitcode")
    assert run.exit_code == 2
    assert "to create" in run.stdout
    assert writes(world.requests()) == []


def test_apply_makes_live_state_equal_the_manifest(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "failed" not in run.stdout.split("Apply finished")[0].lower()

    # Checked through the emulator's own state, not through our plan.
    state = world.state()
    api = project_by_slug(state, "gh/acme/api")
    assert api["settings"]["build_fork_prs"] is False
    assert api["settings"]["autocancel_builds"] is True
    assert sorted(api["settings"]["pr_only_branch_overrides"]) == ["main", "release"]
    assert {k: v["value"] for k, v in api["env_vars"].items()} == {
        "LOG_LEVEL": "debug",
        "NPM_TOKEN": SECRETS["NPM_TOKEN"],
        "SENTRY_DSN": SECRETS["FILE_SECRET"],
    }
    assert [k["type"] for k in api["checkout_keys"]] == ["deploy-key"]
    schedules = [s for s in state["schedules"].values() if s["project_id"] == api["id"]]
    assert len(schedules) == 1 and schedules[0]["name"] == "nightly"
    hooks = [h for h in state["webhooks"].values() if h["project_id"] == api["id"]]
    assert len(hooks) == 1
    assert hooks[0]["signing_secret"] == SECRETS["WEBHOOK_SECRET"]
    assert sorted(hooks[0]["events"]) == ["job-completed", "workflow-completed"]
    new = project_by_slug(state, "gh/acme/new")
    assert new["env_vars"]["MODE"]["value"] == "fresh"
    ctx = context_by_name(state, "aws-prod")
    assert {k: v["value"] for k, v in ctx["env_vars"].items()} == {
        "AWS_ACCESS_KEY_ID": SECRETS["PROD_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": SECRETS["PROD_SECRET"],
    }
    other = project_by_slug(state, "gh/acme/other")
    group = next(iter(next(iter(state["organizations"].values()))["groups"]))
    assert sorted(
        (r["restriction_type"], r["restriction_value"]) for r in ctx["restrictions"]
    ) == sorted(
        [
            ("project", api["id"]),
            ("project", other["id"]),
            ("expression", 'pipeline.git.branch == "main"'),
            ("group", group),
        ]
    )
    # Hands-off: a project and a context the manifest does not own are untouched.
    assert project_by_slug(state, "gh/acme/web")["env_vars"]["UNTOUCHED"]["value"] == "keep-me"
    assert context_by_name(state, "unmanaged")

    again = cli("plan", path, "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
    assert "No changes" in again.stdout


def test_updates_for_every_updatable_kind(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0

    api = data["projects"]["gh/acme/api"]
    api["settings"]["build_fork_prs"] = True
    api["env_vars"]["LOG_LEVEL"] = "info"  # a different masked suffix: a certain change
    api["schedules"]["nightly"]["timetable"]["hours_of_day"] = [4, 5]
    api["webhooks"]["slack"]["url"] = "https://hooks.example.com/other"
    api["webhooks"]["slack"]["events"] = ["job-completed"]
    data["contexts"]["aws-prod"]["restrictions"]["expressions"] = ["true"]
    path = write_manifest(tmp_path, data)
    plan = by_address(plan_json(cli, path))
    assert plan["project[gh/acme/api].settings"]["changed_fields"] == ["build_fork_prs"]
    assert plan["project[gh/acme/api].env_var[LOG_LEVEL]"]["action"] == "update"
    assert plan["project[gh/acme/api].schedule[nightly]"]["changed_fields"] == ["timetable"]
    hook = plan["project[gh/acme/api].webhook[slack]"]
    assert hook["action"] == "update" and set(hook["changed_fields"]) == {"url", "events"}
    assert (
        plan['context[aws-prod].restriction[expression:pipeline.git.branch == "main"]']["action"]
        == "delete"
    )
    assert plan["context[aws-prod].restriction[expression:true]"]["action"] == "create"
    new_r = plan["context[aws-prod].restriction[expression:true]"]
    old_r = plan['context[aws-prod].restriction[expression:pipeline.git.branch == "main"]']
    assert new_r["wave"] < old_r["wave"]  # never unrestricted in between

    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
    state = world.state()
    live = project_by_slug(state, "gh/acme/api")
    assert live["env_vars"]["LOG_LEVEL"]["value"] == "info"
    hooks = [h for h in state["webhooks"].values() if h["project_id"] == live["id"]]
    assert [h["url"] for h in hooks] == ["https://hooks.example.com/other"]


def test_deletes_only_where_the_manifest_owns_the_collection(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    # Someone adds a context the policy prunes, and one it does not.
    data_tmp = complete()
    data_tmp["contexts"] = {"tmp-scratch": {}, "tmp-keep": {}}
    data_tmp["projects"] = {}
    data_tmp["policy"]["manage_contexts"] = []
    assert cli("apply", write_manifest(tmp_path / "b", data_tmp), "--auto-approve").exit_code == 0

    api = data["projects"]["gh/acme/api"]
    del api["env_vars"]["LOG_LEVEL"]
    api["schedules"] = {}
    api["webhooks"] = {}
    api["checkout_keys"] = []
    data["contexts"]["aws-prod"]["restrictions"]["groups"] = []
    del data["contexts"]["aws-prod"]["env_vars"]["AWS_ACCESS_KEY_ID"]
    data["contexts"]["tmp-keep"] = {}
    data["policy"]["ignore"] = {"env_vars": ["SENTRY_*"]}
    del api["env_vars"]["SENTRY_DSN"]
    path = write_manifest(tmp_path, data)
    plan = plan_json(cli, path)
    deleted = {c["address"] for c in plan["changes"] if c["action"] == "delete"}
    assert deleted == {
        "project[gh/acme/api].env_var[LOG_LEVEL]",
        "project[gh/acme/api].schedule[nightly]",
        "project[gh/acme/api].webhook[slack]",
        "project[gh/acme/api].checkout_key[deploy-key]",
        f"context[aws-prod].restriction[group:{PLATFORM_ID}]",
        "context[aws-prod].env_var[AWS_ACCESS_KEY_ID]",
        "context[tmp-scratch]",
    }
    assert all(c["action"] == "delete" for c in plan["changes"])
    assert cli("apply", path, "--auto-approve").exit_code == 0
    state = world.state()
    names = {c["name"] for c in state["contexts"].values()}
    assert names == {"aws-prod", "tmp-keep", "unmanaged"}
    assert "SENTRY_DSN" in project_by_slug(state, "gh/acme/api")["env_vars"]  # ignored
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
