"""Config policies end to end over HTTP against the emulator: create, update (a changed Rego
file is a modified policy, by name), delete, no-op (no dry run, no upload), one upload per
apply, export round trip, drift of a policy and of the settings changed by hand, an invalid
bundle refused at plan time with CircleCI's message, and an organization without the
feature (one note when not managed, a clear failure when managed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.harness import TOKEN, Cli, write_manifest

ORG_ID = "7f1f1f4e-2c9b-4d5e-9a0b-1c2d3e4f5a6b"
BUNDLE = f"/api/v2/owner/{ORG_ID}/context/config/policy-bundle"
SETTINGS = f"/api/v2/owner/{ORG_ID}/context/config/decision/settings"


def rego(name: str, rule: str = "") -> str:
    return f'package org\n\npolicy_name["{name}"]\n{rule}\n'


def seed(**org: Any) -> dict[str, Any]:
    return {
        "users": [{"login": "alice", "token": TOKEN, "organizations": ["gh/acme"]}],
        "organizations": {"gh/acme": {"id": ORG_ID, **org}},
    }


def manifest(**section: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"version": 1, "organization": "gh/acme"}
    if section:
        out["organization_settings"] = {"config_policies": section}
    return out


def policies(tmp: Path, files: dict[str, str]) -> None:
    root = tmp / "policies"
    if root.exists():
        for old in sorted(root.rglob("*.rego")):
            old.unlink()
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def uploads(world: Any) -> list[dict[str, Any]]:
    return [r for r in world.requests() if r["method"] == "POST" and r["path"] == BUNDLE]


def stored(world: Any) -> dict[str, str]:
    state = world.state()["tables"].get("policy_bundles", {}).get(ORG_ID, {})
    return {name: r["content"] for name, r in state.items()}


@pytest.fixture
def world(emulator_factory: Any) -> Any:
    return emulator_factory(
        seed=seed(config_policies={"policies": {"old": rego("old")}}), tokens=(), page_size=2
    )


@pytest.fixture
def cli(world: Any) -> Cli:
    return Cli(host=world.url)


def test_create_update_delete_and_no_op(world: Any, cli: Cli, tmp_path: Path) -> None:
    policies(
        tmp_path,
        {"ci.rego": rego("ci_version"), "sub/orbs.rego": rego("orbs"), "old.rego": rego("old")},
    )
    path = write_manifest(tmp_path, manifest(directory="policies/", enabled=True))

    plan = cli("plan", path, "--format", "json")
    assert plan.exit_code == 0, plan.stderr
    actions = {c["address"]: c["action"] for c in plan.json()["changes"]}
    assert actions == {
        "organization.config_policy[ci_version]": "create",
        "organization.config_policy[orbs]": "create",
        "organization.config_policy_settings": "update",
    }
    world.reset_requests()
    applied = cli("apply", path, "--auto-approve")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    sent = uploads(world)
    # One dry run while planning, then one upload for both new policies.
    assert [r["query"] for r in sent] == ["dry=true", ""]
    assert set(stored(world)) == {"ci_version", "orbs", "old"}
    assert requests.get(
        world.url + SETTINGS, headers={"Circle-Token": TOKEN}, timeout=10
    ).json() == {"enabled": True}

    world.reset_requests()
    again = cli("plan", path, "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
    assert not [r for r in world.requests() if r["method"] != "GET"]  # no dry run, no upload

    policies(tmp_path, {"ci.rego": rego("ci_version", "x := 1"), "old.rego": rego("old")})
    changed = cli("plan", path, "--format", "json")
    actions = {c["address"]: c["action"] for c in changed.json()["changes"]}
    assert actions == {
        "organization.config_policy[ci_version]": "update",
        "organization.config_policy[orbs]": "delete",
    }
    world.reset_requests()
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert [r["query"] for r in uploads(world)] == ["dry=true", ""]
    assert stored(world) == {"ci_version": rego("ci_version", "x := 1"), "old": rego("old")}
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_policies_not_in_the_directory_are_deleted_only_when_it_is_written(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    untouched = cli(
        "plan", write_manifest(tmp_path, manifest(enabled=False)), "--detailed-exitcode"
    )
    assert untouched.exit_code == 0, untouched.stdout
    policies(tmp_path, {"a.rego": rego("a")})
    path = write_manifest(tmp_path, manifest(directory="policies"))
    plan = cli("plan", path, "--format", "json").json()
    deleted = [c for c in plan["changes"] if c["action"] == "delete"]
    assert [c["address"] for c in deleted] == ["organization.config_policy[old]"]
    assert "not in policies" in deleted[0]["reason"]


def test_an_empty_policy_directory_says_every_policy_goes(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    """An empty directory is a bundle of no policy: allowed, but the plan says so plainly,
    and max_deletes guards it as any other deletion."""
    (tmp_path / "policies").mkdir()
    data = manifest(directory="policies")
    data["policy"] = {"max_deletes": 0}
    path = write_manifest(tmp_path, data)
    plan = cli("plan", path, "--format", "json").json()
    (deleted,) = plan["changes"]
    assert deleted["action"] == "delete"
    assert "policies holds no .rego file" in deleted["reason"], deleted["reason"]
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code != 0 and "max_deletes" in run.stderr + run.stdout
    assert stored(world) == {"old": rego("old")}


def test_invalid_bundle_is_refused_at_plan_time_with_the_servers_message(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    policies(tmp_path, {"bad.rego": rego("bad", "deny { true ")})
    path = write_manifest(tmp_path, manifest(directory="policies/"))
    world.reset_requests()
    run = cli("plan", path)
    assert run.exit_code != 0
    assert "CircleCI refuses the policy bundle in policies/" in run.stderr
    assert 'failed to parse file "bad.rego"' in run.stderr
    assert [r["query"] for r in uploads(world)] == ["dry=true"]
    assert stored(world) == {"old": rego("old")}


def test_drift_of_a_policy_and_of_the_settings_changed_by_hand(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    policies(tmp_path, {"old.rego": rego("old")})
    path = write_manifest(tmp_path, manifest(directory="policies/", enabled=False))
    assert cli("drift", path, "--format", "json").json()["in_sync"] is True
    auth = {"Circle-Token": TOKEN}
    body = {"policies": {"x.rego": rego("old", "changed := true")}}
    assert requests.post(world.url + BUNDLE, json=body, headers=auth, timeout=10).ok
    assert requests.patch(world.url + SETTINGS, json={"enabled": True}, headers=auth, timeout=10).ok
    report = cli("drift", path, "--format", "json").json()
    status = {o["address"]: o["status"] for o in report["objects"]}
    assert status == {
        "organization.config_policy[old]": "changed",
        "organization.config_policy_settings": "changed",
    }


def test_export_round_trip_writes_the_policy_files(world: Any, cli: Cli, tmp_path: Path) -> None:
    auth = {"Circle-Token": TOKEN}
    assert requests.patch(world.url + SETTINGS, json={"enabled": True}, headers=auth, timeout=10).ok
    out = tmp_path / "exported" / "circleci.yaml"
    out.parent.mkdir()
    run = cli("export", "--org", "gh/acme", "--output", out)
    assert run.exit_code == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "config_policies:\n    directory: policies/\n    enabled: true" in text
    assert (out.parent / "policies" / "old.rego").read_text(encoding="utf-8") == rego("old")
    plan = cli("plan", out, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout
    printed = cli("export", "--org", "gh/acme")
    assert "the policy bundle (old) is left out, so left alone" in printed.stdout


def test_a_saved_plan_is_stale_when_a_policy_file_changed(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    """The manifest is unchanged but a Rego file it reads is not: apply --plan refuses, as
    it would upload a policy nobody reviewed."""
    policies(tmp_path, {"old.rego": rego("old", "y := 2")})
    path = write_manifest(tmp_path, manifest(directory="policies/"))
    saved = tmp_path / "plan.json"
    assert cli("plan", path, "--out", saved).exit_code == 0
    policies(tmp_path, {"old.rego": rego("old", "y := 3")})
    run = cli("apply", "--plan", saved, "--auto-approve")
    assert run.exit_code != 0 and "plan is stale" in run.stderr, run.stdout + run.stderr
    assert stored(world) == {"old": rego("old")}


def test_export_into_a_policy_directory_in_use_writes_nothing(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    """A policy file already there is refused before the manifest is written (no manifest
    left behind that deletes policies), and a .rego file CircleCI does not hold is refused
    even with --force: the exported manifest would read it and plan to create it."""
    out = tmp_path / "circleci.yaml"
    policies(tmp_path, {"old.rego": "edited by hand\n", "team/stale.rego": rego("stale")})
    run = cli("export", "--org", "gh/acme", "--output", out)
    assert run.exit_code == 1
    assert "old.rego already exists: pass --force" in run.stderr
    assert "stale.rego is not in CircleCI" in run.stderr
    assert not out.exists()
    run = cli("export", "--org", "gh/acme", "--output", out, "--force")
    assert run.exit_code == 1 and "stale.rego is not in CircleCI" in run.stderr, run.stderr
    assert not out.exists()
    assert (tmp_path / "policies" / "old.rego").read_text(encoding="utf-8") == "edited by hand\n"
    (tmp_path / "policies" / "team" / "stale.rego").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "policies").write_text("a file, not a directory\n", encoding="utf-8")
    run = cli("export", "--org", "gh/acme", "--output", elsewhere / "m.yaml")
    assert run.exit_code == 1 and "a file of that name is in the way" in run.stderr, run.stderr
    assert not (elsewhere / "m.yaml").exists()
    run = cli("export", "--org", "gh/acme", "--output", out, "--force")
    assert run.exit_code == 0, run.stderr
    assert cli("plan", out, "--detailed-exitcode").exit_code == 0


def test_an_organization_without_the_feature(emulator_factory: Any, tmp_path: Path) -> None:
    world = emulator_factory(seed=seed(features_off=["config_policies"]), tokens=())
    cli = Cli(host=world.url)
    # A manifest that does not write the setting does not read it: the plan is unaffected
    # (export and live lint, which read everything, say why it could not be read).
    world.reset_requests()
    plain = cli("plan", write_manifest(tmp_path, manifest()), "--format", "json")
    assert plain.exit_code == 0, plain.stderr
    assert not [n for n in plain.json()["notes"] if "config_polic" in n]
    assert not [r for r in world.requests() if "/policy-bundle" in r["path"]]
    managed = cli("plan", write_manifest(tmp_path, manifest(enabled=True)))
    assert managed.exit_code != 0
    assert "organization_settings.config_policies.enabled is in the manifest" in managed.stderr
    assert "not available to this organization" in managed.stderr


def test_a_targeted_apply_uploads_only_the_targeted_policy(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    policies(tmp_path, {"a.rego": rego("a"), "old.rego": rego("old", "y := 2")})
    path = write_manifest(tmp_path, manifest(directory="policies/"))
    run = cli("apply", path, "--auto-approve", "--target", "organization.config_policy[a]")
    assert run.exit_code == 0, run.stdout + run.stderr
    # The change to `old` is outside --target: CircleCI keeps its text.
    assert stored(world) == {"a": rego("a"), "old": rego("old")}
    plan = cli("plan", path, "--format", "json").json()
    assert [c["address"] for c in plan["changes"]] == ["organization.config_policy[old]"]


def test_export_of_an_organization_without_the_feature_says_why(
    emulator_factory: Any, tmp_path: Path
) -> None:
    world = emulator_factory(seed=seed(features_off=["config_policies"]), tokens=())
    run = Cli(host=world.url)("export", "--org", "gh/acme")
    assert run.exit_code == 0, run.stderr
    assert "# config_policies: could not be read (CircleCI refused to show config" in run.stdout


def test_a_lost_answer_to_the_upload_is_repaired_by_sending_it_again(
    world: Any, cli: Cli, tmp_path: Path
) -> None:
    """The upload replaces the bundle whole, so sending it twice is safe: the connection
    drops after CircleCI stored it, the client sends it again, and the next plan is empty."""
    policies(tmp_path, {"a.rego": rego("a"), "old.rego": rego("old", "y := 2")})
    path = write_manifest(tmp_path, manifest(directory="policies/", enabled=True))
    world.fault(f"reset,route={BUNDLE},method=POST,after=1,times=1")  # after the dry run
    world.reset_requests()
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert len([r for r in uploads(world) if "dry" not in r["query"]]) == 2
    assert stored(world) == {"a": rego("a"), "old": rego("old", "y := 2")}
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
