"""Regression tests for ordering, naming and ledger cases found in review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.e2e.harness import TOKEN, Cli, complete, context_by_name, seed, write_manifest

KEY = {"CIRCLECI_RECONCILER_LEDGER_KEY": "k3y-for-tests"}
HEADERS = {"Circle-Token": TOKEN}

# A group id no organization has: plans (ids need no lookup), fails when applied.
MISSING_GROUP = "00000000-0000-4000-8000-000000000000"


def test_a_failed_replacement_restriction_keeps_the_old_one(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    data["contexts"]["aws-prod"]["restrictions"]["groups"] = [MISSING_GROUP]
    path = write_manifest(tmp_path, data)
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 1
    kinds = [
        r["restriction_type"] for r in context_by_name(world.state(), "aws-prod")["restrictions"]
    ]
    assert "group" in kinds  # the old group restriction is still there


def test_a_restriction_on_a_missing_project_fails_the_plan(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["contexts"]["aws-prod"]["restrictions"]["projects"] = ["gh/acme/apii"]
    world.reset_requests()
    run = cli("plan", write_manifest(tmp_path, data))
    assert run.exit_code == 1
    assert "gh/acme/apii" in run.stderr and "restriction" in run.stderr
    assert not [r for r in world.requests() if r["method"] != "GET"]


def test_a_restriction_on_a_project_created_in_the_same_run(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["projects"]["gh/acme/brandnew"] = {"create": True, "settings": {}}
    data["contexts"]["aws-prod"]["restrictions"]["projects"].append("gh/acme/brandnew")
    path = write_manifest(tmp_path, data)
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_webhooks_sharing_a_name_are_all_seen(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    project = requests.get(
        f"{world.api}/project/gh%2Facme%2Fapi", headers=HEADERS, timeout=5
    ).json()
    requests.post(
        f"{world.api}/webhook",
        json={
            "name": "slack",
            "url": "https://evil.example.com/steal",
            "events": ["job-completed"],
            "verify-tls": True,
            "signing-secret": "x",
            "scope": {"id": project["id"], "type": "project"},
        },
        headers=HEADERS,
        timeout=5,
    ).raise_for_status()
    plan = cli("plan", path, "--format", "json").json()
    deletes = [c["address"] for c in plan["changes"] if c["action"] == "delete"]
    assert len(deletes) == 1 and deletes[0].startswith("project[gh/acme/api].webhook[slack:")
    assert cli("apply", path, "--auto-approve").exit_code == 0
    hooks = [h["url"] for h in world.state()["webhooks"].values()]
    assert hooks == ["https://hooks.example.com/circleci"]


def test_names_with_brackets_cannot_hide_objects(emulator_factory: Any, tmp_path: Path) -> None:
    s = seed()
    s["organizations"]["gh/acme"]["contexts"] = {"a": {}, "a].env_var[B": {}}
    world = emulator_factory(seed=s, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    data = {
        "version": 1,
        "organization": "gh/acme",
        "contexts": {"a": {"env_vars": {"B": "new"}}},
    }
    plan = cli("plan", write_manifest(tmp_path, data), "--format", "json").json()
    assert [c["address"] for c in plan["changes"]] == ["context[a].env_var[B]"]
    report = cli("drift", write_manifest(tmp_path, data), "--format", "json").json()
    statuses = {o["address"]: o["status"] for o in report["objects"]}
    assert statuses["context[a\\].env_var\\[B]"] == "unmanaged"


def test_own_webhook_update_is_not_tampering(cli: Cli, world: Any, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.json"
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=KEY).exit_code == 0
    data["projects"]["gh/acme/api"]["webhooks"]["slack"]["url"] = "https://hooks.example.com/v2"
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=KEY).exit_code == 0
    assert cli("drift", path, "--ledger", ledger, env=KEY).exit_code == 0
    assert cli("plan", path, "--ledger", ledger, "--detailed-exitcode", env=KEY).exit_code == 0


def test_an_ignored_context_is_not_planned_nor_anything_in_it(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["policy"]["ignore"] = {"contexts": ["unmanaged", "legacy-*"]}
    data["contexts"]["unmanaged"] = {"env_vars": {}}
    data["contexts"]["legacy-b"] = {"env_vars": {"A": "1x"}}
    path = write_manifest(tmp_path, data)
    plan = cli("plan", path, "--format", "json").json()
    addresses = [c["address"] for c in plan["changes"]]
    assert not [a for a in addresses if a.startswith(("context[unmanaged]", "context[legacy-"))]
    assert any("matches policy.ignore" in n["note"] for n in plan["object_notes"])


def test_schedule_attributed_to_another_user(emulator_factory: Any, tmp_path: Path) -> None:
    s = seed()
    s["users"].insert(0, {"login": "bob", "token": "bob-token", "organizations": ["gh/acme"]})
    world = emulator_factory(seed=s, tokens=(), page_size=2)
    requests.post(
        f"{world.api}/project/gh%2Facme%2Fapi/schedule",
        json={
            "name": "nightly",
            "description": "Nightly build of main",
            "attribution-actor": "current",
            "parameters": {"branch": "main", "run-nightly": True},
            "timetable": {
                "per-hour": 1,
                "hours-of-day": [3],
                "days-of-week": ["MON", "TUE", "WED", "THU", "FRI"],
            },
        },
        headers={"Circle-Token": "bob-token"},
        timeout=5,
    ).raise_for_status()
    data = complete()
    data["projects"]["gh/acme/api"]["schedules"]["nightly"]["attribution_actor"] = "current"
    cli = Cli(host=world.url)
    plan = cli("plan", write_manifest(tmp_path, data), "--format", "json").json()
    change = next(c for c in plan["changes"] if c["kind"] == "schedule")
    assert change["before"]["attribution_actor"] == "user:bob"
    assert change["changed_fields"] == ["attribution_actor"]


def test_writing_into_a_missing_directory_is_a_clean_error(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, complete())
    run = cli("plan", manifest, "--out", manifest / "p.json")  # under a file: cannot be made
    assert run.exit_code == 1
    assert "Error:" in run.stderr and "Traceback" not in run.stderr


def test_a_target_that_matches_nothing_is_an_error(cli: Cli, world: Any, tmp_path: Path) -> None:
    run = cli("plan", write_manifest(tmp_path, complete()), "--target", "context[typo]")
    assert run.exit_code == 1 and "matches nothing" in run.stderr


def test_plan_says_which_guard_apply_will_hit(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    data["policy"]["max_deletes"] = 0
    data["policy"]["manage_contexts"] = ["*"]
    plan = cli("plan", write_manifest(tmp_path, data), "--format", "json").json()
    assert any("--allow-deletes" in n for n in plan["refusals"])


def test_a_keyed_ledger_refuses_a_run_without_its_key(cli: Cli, world: Any, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.json"
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=KEY).exit_code == 0
    before = ledger.read_text()
    run = cli("apply", path, "--auto-approve", "--ledger", ledger)
    assert run.exit_code == 1 and "CIRCLECI_RECONCILER_LEDGER_KEY" in run.stderr
    assert ledger.read_text() == before


def test_an_unwritable_ledger_fails_before_any_write(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    world.reset_requests()
    run = cli("apply", path, "--auto-approve", "--ledger", path / "ledger.json", env=KEY)
    assert run.exit_code == 1 and "ledger" in run.stderr
    assert not [r for r in world.requests() if r["method"] != "GET"]


def test_ignore_globs_also_match_names_written_exactly(
    emulator_factory: Any, tmp_path: Path
) -> None:
    s = seed()
    s["organizations"]["gh/acme"]["contexts"] = {"ctx [1]": {}, "ctx 1": {}, "ctx 2": {}}
    world = emulator_factory(seed=s, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    data = {
        "version": 1,
        "organization": "gh/acme",
        "policy": {"manage_contexts": ["ctx*"], "ignore": {"contexts": ["ctx [1]"]}},
        "contexts": {},
    }
    plan = cli("plan", write_manifest(tmp_path, data), "--format", "json").json()
    deleted = {c["address"] for c in plan["changes"] if c["action"] == "delete"}
    assert "context[ctx \\[1\\]]" not in deleted and "context[ctx 2]" in deleted


def test_host_must_be_a_url(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    for bad in (world.url + "/api/v2", "ftp://example.com"):
        run = cli("plan", path, env={"CIRCLECI_HOST": bad})
        assert run.exit_code == 1 and "the CircleCI host must be" in run.stderr, bad
    # A bare name is refused with the URL to write; one that does not answer is named.
    run = cli("plan", path, env={"CIRCLECI_HOST": "127.0.0.1:9"})
    assert run.exit_code == 1 and "write http://127.0.0.1:9." in run.stderr
    run = cli("plan", path, env={"CIRCLECI_HOST": "https://127.0.0.1:9"})
    assert run.exit_code == 1 and "https://127.0.0.1:9" in run.stderr


def test_restrictions_on_projects_outside_the_manifest_are_named(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    data["contexts"]["aws-prod"]["restrictions"]["projects"] = ["gh/acme/api"]
    plan = cli("plan", write_manifest(tmp_path, data), "--format", "json").json()
    [gone] = [c["address"] for c in plan["changes"] if c["action"] == "delete"]
    # Not read this run (no longer named), so named from CircleCI's label: org slug + name.
    assert gone == "context[aws-prod].restriction[project:gh/acme/other]"


def test_drift_says_nothing_of_ignored_contexts_or_their_contents(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    data["policy"]["ignore"] = {"contexts": ["aws-prod", "unmanaged"]}
    data["contexts"]["aws-prod"]["env_vars"]["EXTRA"] = "x"  # would be missing, if not ignored
    report = cli("drift", write_manifest(tmp_path, data), "--format", "json")
    assert report.exit_code == 0
    addresses = [o["address"] for o in report.json()["objects"]]
    assert not [a for a in addresses if a.startswith(("context[aws-prod]", "context[unman"))]


def test_drift_reports_a_missing_declared_project_with_everything_else(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["projects"]["gh/acme/gone"] = {"env_vars": {"A": "x1"}}
    report = cli("drift", write_manifest(tmp_path, data), "--format", "json")
    assert report.exit_code == 2
    statuses = {o["address"]: o["status"] for o in report.json()["objects"]}
    assert statuses["project[gh/acme/gone]"] == "missing"
    assert statuses["project[gh/acme/gone].env_var[A]"] == "missing"
    assert statuses["context[aws-prod]"] == "missing"  # the rest is reported as usual


def test_ledger_sees_a_project_variable_rewritten_with_the_same_ending(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    import time

    ledger = tmp_path / "ledger.json"
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=KEY).exit_code == 0
    time.sleep(0.01)
    requests.post(
        f"{world.api}/project/gh%2Facme%2Fapi/envvar",
        json={"name": "LOG_LEVEL", "value": "hand-written-debug"},  # same last 4: "ebug"
        headers=HEADERS,
        timeout=5,
    ).raise_for_status()
    report = cli("drift", path, "--ledger", ledger, "--format", "json", env=KEY).json()
    statuses = {o["address"]: o["status"] for o in report["objects"]}
    assert statuses["project[gh/acme/api].env_var[LOG_LEVEL]"] == "tampered"


def test_an_unrelated_new_context_does_not_stale_a_saved_plan(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["policy"]["manage_contexts"] = []
    path = write_manifest(tmp_path, data)
    planfile = tmp_path / "plan.json"
    assert cli("plan", path, "--out", planfile).exit_code == 0
    orgs = requests.get(f"{world.api}/me/collaborations", headers=HEADERS, timeout=5).json()
    requests.post(
        f"{world.api}/context",
        json={"name": "elsewhere", "owner": {"id": orgs[0]["id"], "type": "organization"}},
        headers=HEADERS,
        timeout=5,
    ).raise_for_status()
    run = cli("apply", "--plan", planfile, "--auto-approve")
    assert run.exit_code == 0, run.stderr


def test_group_ids_in_upper_case_converge(cli: Cli, world: Any, tmp_path: Path) -> None:
    group_id = next(iter(next(iter(world.state()["organizations"].values()))["groups"]))
    data = complete()
    data["contexts"]["aws-prod"]["restrictions"]["groups"] = [group_id.upper()]
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_equal_values_do_not_show_as_equal_fingerprints(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    import json

    ledger = tmp_path / "ledger.json"
    data = complete()
    path = write_manifest(tmp_path, data)
    env = {**KEY, "PROD_KEY_ID": "same-value-123", "PROD_SECRET": "same-value-123"}
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=env).exit_code == 0
    entries = json.loads(ledger.read_text())["entries"]
    a = entries["context[aws-prod].env_var[AWS_ACCESS_KEY_ID]"]["fingerprint"]
    b = entries["context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]"]["fingerprint"]
    assert a != b


def test_uncompared_values_are_not_called_a_match_and_can_be_forced(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    data["projects"]["gh/acme/api"]["env_vars"]["FLAG"] = "1"
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    data["projects"]["gh/acme/api"]["env_vars"]["FLAG"] = "0"  # too short to show a suffix
    path = write_manifest(tmp_path, data)
    run = cli("plan", path, "--detailed-exitcode")
    assert run.exit_code == 0
    assert "could not be compared" in run.stdout and "matches the manifest" not in run.stdout
    planfile = tmp_path / "plan.json"
    forced = cli("plan", path, "--rewrite-secrets", "--format", "json", "--out", planfile).json()
    assert "project[gh/acme/api].env_var[FLAG]" in {c["address"] for c in forced["changes"]}
    assert cli("apply", "--plan", planfile, "--auto-approve", "--force").exit_code == 0
    flag = next(p for p in world.state()["projects"].values() if p["slug"] == "gh/acme/api")
    assert flag["env_vars"]["FLAG"]["value"] == "0"
