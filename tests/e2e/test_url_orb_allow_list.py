"""The URL orb allow-list end to end over HTTP against the emulator: create, replace (no
update route: the old entry goes first), delete, no-op, drift of a hand edit, the export
round trip, and an organization without the feature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from ruamel.yaml import YAML

from tests.e2e.harness import TOKEN, Cli, seed, write_manifest, writes

HEADERS = {"Circle-Token": TOKEN}
URL = "/api/v2/organization/gh/acme/url-orb-allow-list"
ENTRY = "organization.url_orb_allow_list"
PUBLIC = {"prefix": "https://raw.githubusercontent.com/acme/orbs/main/", "auth": "none"}
PRIVATE = {"prefix": "https://github.com/acme/private-orbs/", "auth": "github-app"}


def _manifest(entries: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 1, "organization": "gh/acme"}
    if entries is not None:
        data["organization_settings"] = {"url_orb_allow_list": entries}
    return data


def _live(world: Any) -> dict[str, dict[str, str]]:
    items = requests.get(world.url + URL, headers=HEADERS, timeout=5).json()["items"]
    return {e["name"]: {"prefix": e["prefix"], "auth": e["auth"]} for e in items}


def _plan(cli: Cli, path: Path) -> dict[str, str]:
    run = cli("plan", path, "--format", "json")
    assert run.exit_code == 0, run.stdout + run.stderr
    return {c["address"]: c["action"] for c in run.json()["changes"]}


def test_create_no_op_replace_and_delete(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC, "private": PRIVATE}))
    assert _plan(cli, path) == {f"{ENTRY}[private]": "create", f"{ENTRY}[public]": "create"}
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert _live(world) == {"public": PUBLIC, "private": PRIVATE}
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0

    # No update route: a changed prefix is a replace, the old entry deleted first.
    moved = {**PRIVATE, "prefix": "https://github.com/acme/orbs-v2/"}
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC, "private": moved}))
    assert _plan(cli, path) == {f"{ENTRY}[private]": "replace"}
    world.reset_requests()
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert [r["method"] for r in writes(world.requests())] == ["DELETE", "POST"]
    assert _live(world) == {"public": PUBLIC, "private": moved}
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0

    # An entry the present list does not name is deleted; an absent key leaves it alone.
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC}))
    assert _plan(cli, path) == {f"{ENTRY}[private]": "delete"}
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert _live(world) == {"public": PUBLIC}
    path = write_manifest(tmp_path, _manifest(None))
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_drift_of_an_entry_changed_by_hand(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC}))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("drift", path).exit_code == 0
    (entry,) = requests.get(world.url + URL, headers=HEADERS, timeout=5).json()["items"]
    requests.delete(f"{world.url}{URL}/{entry['id']}", headers=HEADERS, timeout=5)
    for body in ({**PUBLIC, "auth": "github-oauth", "name": "public"}, {**PRIVATE, "name": "x"}):
        requests.post(world.url + URL, json=body, headers=HEADERS, timeout=5).raise_for_status()
    report = cli("drift", path, "--format", "json").json()
    status = {o["address"]: o for o in report["objects"]}
    assert status[f"{ENTRY}[public]"]["status"] == "changed"
    assert status[f"{ENTRY}[public]"]["fields"] == [
        {"field": "auth", "manifest": "none", "live": "github-oauth"}
    ]
    assert status[f"{ENTRY}[x]"]["status"] == "extra"


def test_export_round_trip_plans_no_change(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC, "private": PRIVATE}))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    out = tmp_path / "exported" / "circleci.yaml"
    out.parent.mkdir()
    run = cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "--output", out)
    assert run.exit_code == 0, run.stdout + run.stderr
    data = YAML(typ="safe").load(out.read_text())
    assert data["organization_settings"]["url_orb_allow_list"] == {
        "private": PRIVATE,
        "public": PUBLIC,
    }
    assert cli("plan", out, "--detailed-exitcode").exit_code == 0


def test_an_organization_without_the_feature(emulator_factory: Any, tmp_path: Path) -> None:
    data = seed()
    data["organizations"]["gh/acme"]["features_off"] = ["url_orb_allow_list"]
    world = emulator_factory(seed=data, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    path = write_manifest(tmp_path, _manifest(None))
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0

    path = write_manifest(tmp_path, _manifest({"public": PUBLIC}))
    run = cli("plan", path)
    assert run.exit_code != 0
    assert "CircleCI refused to show the URL orb allow-list" in run.stderr + run.stdout

    out = tmp_path / "exported" / "circleci.yaml"
    out.parent.mkdir()
    run = cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "--output", out)
    assert run.exit_code == 0, run.stdout + run.stderr
    text = out.read_text()
    assert "# url_orb_allow_list: could not be read" in text
    assert "url_orb_allow_list:" not in text.replace("# url_orb_allow_list:", "")
    assert cli("plan", out, "--detailed-exitcode").exit_code == 0


def test_a_renamed_entry_whose_second_prefix_circleci_refuses(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    """Renamed, same prefix: the new entry is made before the old one goes. Should CircleCI
    refuse a second entry of one prefix (nothing documents it either way), the entry this
    run deletes goes first and the POST is sent again: the apply succeeds both ways."""
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC}))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    path = write_manifest(tmp_path, _manifest({"shared": PUBLIC}))
    assert _plan(cli, path) == {f"{ENTRY}[public]": "delete", f"{ENTRY}[shared]": "create"}
    world.reset_requests()
    world.fault(
        {
            "mode": "status",
            "arg": "400",
            "method": "POST",
            "route": "*/url-orb-allow-list",
            "times": 1,
        }
    )
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    sent = [(r["method"], r["status"]) for r in writes(world.requests())]
    assert sent[:3] == [("POST", 400), ("DELETE", 200), ("POST", 200)], sent
    assert _live(world) == {"shared": PUBLIC}
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_a_refused_entry_with_no_entry_leaving_stays_refused(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC}))
    assert cli("apply", path, "--auto-approve").exit_code == 0
    path = write_manifest(tmp_path, _manifest({"public": PUBLIC, "private": PRIVATE}))
    world.reset_requests()
    world.fault(
        {
            "mode": "status",
            "arg": "400",
            "method": "POST",
            "route": "*/url-orb-allow-list",
            "times": 1,
        }
    )
    assert cli("apply", path, "--auto-approve").exit_code != 0
    assert [r["method"] for r in writes(world.requests())] == ["POST"]  # nothing deleted
    assert _live(world) == {"public": PUBLIC}
