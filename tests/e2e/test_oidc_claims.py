"""OIDC custom claims, organization and project, end to end over HTTP against the emulator:
create, update, delete (a DELETE, never a PATCH), no-op whatever the audience order or the TTL
spelling, drift of a hand edit, the export round trip, and an organization without them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from ruamel.yaml import YAML

from tests.e2e.harness import TOKEN, Cli, project_by_slug, seed, write_manifest, writes

HEADERS = {"Circle-Token": TOKEN}


def _manifest(org: dict[str, Any] | None, project: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 1, "organization": "gh/acme", "projects": {}}
    if org is not None:
        data["organization_settings"] = {"oidc_claims": org}
    data["projects"]["gh/acme/api"] = {} if project is None else {"oidc_claims": project}
    return data


def _ids(world: Any) -> tuple[str, str]:
    state = world.state()
    org = next(o for o in state["organizations"].values() if o["slug"] == "gh/acme")
    return org["id"], project_by_slug(state, "gh/acme/api")["id"]


def _claims_url(world: Any, project: bool = False) -> str:
    org_id, project_id = _ids(world)
    middle = f"/project/{project_id}" if project else ""
    return f"{world.api}/org/{org_id}{middle}/oidc-custom-claims"


def _changes(cli: Cli, path: Path) -> dict[str, dict[str, Any]]:
    plan = cli("plan", path, "--format", "json")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    return {c["address"]: c for c in plan.json()["changes"]}


ORG = "organization.oidc_claim"
API = "project[gh/acme/api].oidc_claim"


def test_create_no_op_update_and_delete(cli: Cli, world: Any, tmp_path: Path) -> None:
    org = {"audience": ["sts.amazonaws.com", "vault.example.com"], "ttl": "90m"}
    path = write_manifest(tmp_path, _manifest(org, {"ttl": "30m"}))
    changes = _changes(cli, path)
    assert {a: c["action"] for a, c in changes.items()} == {
        f"{ORG}[audience]": "create",
        f"{ORG}[ttl]": "create",
        f"{API}[ttl]": "create",
    }
    assert cli("apply", path, "--auto-approve").exit_code == 0
    live = requests.get(_claims_url(world), headers=HEADERS, timeout=5).json()
    assert live["ttl"] == "1h30m0s"  # Go's spelling of the 90m written
    assert live["audience"] == ["vault.example.com", "sts.amazonaws.com"]  # its own order
    project = requests.get(_claims_url(world, True), headers=HEADERS, timeout=5).json()
    assert project["ttl"] == "30m0s" and "audience" not in project

    # No change: the audience in another order, the TTL in another spelling.
    org = {"audience": ["vault.example.com", "sts.amazonaws.com"], "ttl": "1h30m"}
    path = write_manifest(tmp_path, _manifest(org, {"ttl": "1800s"}))
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0

    # Update: only the claim that changed is written.
    path = write_manifest(tmp_path, _manifest({**org, "ttl": "2h"}, {"ttl": "1800s"}))
    world.reset_requests()
    assert cli("apply", path, "--auto-approve").exit_code == 0
    sent = [(r["method"], r["path"]) for r in writes(world.requests())]
    assert sent == [("PATCH", _claims_url(world).removeprefix(world.url))]
    assert requests.get(_claims_url(world), headers=HEADERS, timeout=5).json()["ttl"] == "2h0m0s"

    # Removing a claim plans a delete, applied as DELETE ?claims=..., never a PATCH.
    path = write_manifest(tmp_path, _manifest({"ttl": "2h"}, {}))
    changes = _changes(cli, path)
    assert {a: c["action"] for a, c in changes.items()} == {
        f"{ORG}[audience]": "delete",
        f"{API}[ttl]": "delete",
    }
    world.reset_requests()
    assert cli("apply", path, "--auto-approve").exit_code == 0
    sent = sorted((r["method"], r["query"]) for r in writes(world.requests()))
    assert sent == [("DELETE", "claims=audience"), ("DELETE", "claims=ttl")]
    live = requests.get(_claims_url(world), headers=HEADERS, timeout=5).json()
    assert "audience" not in live and live["ttl"] == "2h0m0s"
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0

    # Without the key, the claims are left alone.
    path = write_manifest(tmp_path, _manifest(None, None))
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_drift_of_a_claim_changed_by_hand(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, _manifest({"ttl": "1h"}, {"audience": ["a", "b"]}))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("drift", path).exit_code == 0
    requests.patch(
        _claims_url(world), json={"ttl": "5m"}, headers=HEADERS, timeout=5
    ).raise_for_status()
    requests.patch(
        _claims_url(world, True), json={"audience": ["a", "c"]}, headers=HEADERS, timeout=5
    ).raise_for_status()
    requests.patch(
        _claims_url(world, True), json={"ttl": "10m"}, headers=HEADERS, timeout=5
    ).raise_for_status()
    report = cli("drift", path, "--format", "json").json()
    status = {o["address"]: o for o in report["objects"]}
    assert status[f"{ORG}[ttl]"]["status"] == "changed"
    assert status[f"{ORG}[ttl]"]["fields"] == [{"field": "ttl", "manifest": "1h", "live": "5m"}]
    assert status[f"{API}[audience]"]["status"] == "changed"
    assert status[f"{API}[ttl]"]["status"] == "extra"  # the manifest's key owns both claims


def test_export_round_trip_plans_no_change(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, _manifest({"audience": ["x", "y"]}, {"ttl": "45m"}))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    out = tmp_path / "exported" / "circleci.yaml"
    out.parent.mkdir()
    run = cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "--output", out)
    assert run.exit_code == 0, run.stdout + run.stderr
    data = YAML(typ="safe").load(out.read_text())
    assert data["organization_settings"]["oidc_claims"] == {"audience": ["x", "y"]}
    assert data["projects"]["gh/acme/api"]["oidc_claims"] == {"ttl": "45m"}
    assert cli("plan", out, "--detailed-exitcode").exit_code == 0


def test_an_organization_without_the_feature(emulator_factory: Any, tmp_path: Path) -> None:
    data = seed()
    data["organizations"]["gh/acme"]["features_off"] = ["oidc_custom_claims"]
    world = emulator_factory(seed=data, tokens=(), page_size=2)
    cli = Cli(host=world.url)

    # Not in the manifest: not read, the plan goes on.
    path = write_manifest(tmp_path, _manifest(None, None))
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0

    # Managed: one clear message, nothing written.
    for manifest in (_manifest({"ttl": "1h"}, None), _manifest(None, {"ttl": "1h"})):
        path = write_manifest(tmp_path, manifest)
        run = cli("plan", path)
        assert run.exit_code != 0
        assert "CircleCI refused to show the OIDC custom claims" in run.stderr + run.stdout
        assert "not be available for this organization's plan" in run.stderr + run.stdout

    # Export says the setting could not be read, and writes a manifest that plans clean.
    out = tmp_path / "exported" / "circleci.yaml"
    out.parent.mkdir()
    run = cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "--output", out)
    assert run.exit_code == 0, run.stdout + run.stderr
    text = out.read_text()
    assert "# oidc_claims: could not be read" in text
    assert "oidc_claims:\n" not in text
    assert cli("plan", out, "--detailed-exitcode").exit_code == 0
    cli.assert_no_secrets()


def test_claims_of_a_new_project_without_the_feature_stop_the_plan(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """The project does not exist, so its claims cannot be read: the organization's route
    says whether CircleCI offers them, and apply stops before it creates the project."""
    data = seed()
    data["organizations"]["gh/acme"]["features_off"] = ["oidc_custom_claims"]
    world = emulator_factory(seed=data, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    manifest = _manifest(None, None)
    manifest["projects"]["gh/acme/fresh"] = {"create": True, "oidc_claims": {"ttl": "15m"}}
    path = write_manifest(tmp_path, manifest)
    for args in (("plan", path), ("apply", path, "--auto-approve")):
        world.reset_requests()
        run = cli(*args)
        assert run.exit_code == 1, run.stdout
        assert "projects.gh/acme/fresh.oidc_claims: CircleCI refused" in run.stderr
        assert writes(world.requests()) == []


def test_an_organization_without_the_feature_is_said_once(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """Every project's claims route is refused for the same reason as the organization's:
    export and lint --live say it once, not once more per project."""
    data = seed()
    data["organizations"]["gh/acme"]["features_off"] = ["oidc_custom_claims"]
    world = emulator_factory(seed=data, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    projects = ["gh/acme/api", "gh/acme/web", "gh/acme/other"]
    args = [a for p in projects for a in ("--project", p)]
    run = cli("export", "--org", "gh/acme", *args)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("could not be read") == 1, run.stdout
    assert "# oidc_claims: could not be read" in run.stdout
    manifest = _manifest(None, None)
    manifest["projects"] = {p: {} for p in projects}
    path = write_manifest(tmp_path, manifest)
    run = cli("lint", "--live", "--format", "json", path)
    notes = [n for n in run.json()["notes"] if "oidc" in n.lower()]
    assert len(notes) == 1, notes


def test_claims_of_a_project_created_in_the_same_run(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = _manifest(None, None)
    data["projects"]["gh/acme/fresh"] = {"create": True, "oidc_claims": {"ttl": "15m"}}
    path = write_manifest(tmp_path, data)
    changes = _changes(cli, path)
    claim = changes["project[gh/acme/fresh].oidc_claim[ttl]"]
    assert claim["action"] == "create" and claim["requires"] == ["project[gh/acme/fresh]"]
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    state = world.state()
    org_id = next(o["id"] for o in state["organizations"].values() if o["slug"] == "gh/acme")
    fresh = project_by_slug(state, "gh/acme/fresh")["id"]
    url = f"{world.api}/org/{org_id}/project/{fresh}/oidc-custom-claims"
    assert requests.get(url, headers=HEADERS, timeout=5).json()["ttl"] == "15m0s"
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
