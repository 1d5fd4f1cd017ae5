"""Defaults by pattern against the emulator: what a default gives is planned and applied like
the project's own keys, and plans and drift name the default's file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.harness import TOKEN, Cli, seed

MANIFEST = """\
version: 1
organization: gh/acme
defaults:
  "gh/acme/*":
    settings: {build_fork_prs: true}
    env_vars: {LOG_LEVEL: info}
  "gh/acme/web":
    env_vars: {LOG_LEVEL: debug}
projects:
  gh/acme/api:
    settings: {autocancel_builds: true}
  gh/acme/web:
    env_vars: {UNTOUCHED: {}}
  gh/acme/other:
    skip_defaults: [settings]
"""


@pytest.fixture
def world(emulator_factory: Any) -> Any:
    data = seed()
    data["organizations"]["gh/acme"]["projects"]["gh/acme/other"] = {"env_vars": {"OLD": "x"}}
    return emulator_factory(seed=data, tokens=(), page_size=2)


def test_plans_and_drift_name_the_default(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    plan = cli("plan", path, "--format", "json").json()
    reasons = {c["address"]: c["reason"] for c in plan["changes"]}
    org, web = f"from defaults 'gh/acme/*' ({path}:", f"from defaults 'gh/acme/web' ({path}:"
    assert reasons["project[gh/acme/api].settings"].endswith(f"{org}5)")
    assert reasons["project[gh/acme/api].env_var[LOG_LEVEL]"].endswith(f"{org}6)")
    assert reasons["project[gh/acme/web].env_var[LOG_LEVEL]"].endswith(f"{web}8)")  # later wins
    # The default makes other's env_vars authoritative: its delete says whose collection.
    assert reasons["project[gh/acme/other].env_var[OLD]"].endswith(f"{org}6)")
    assert "project[gh/acme/other].settings" not in reasons  # skipped
    assert sorted(reasons) == [
        "project[gh/acme/api].env_var[LOG_LEVEL]",
        "project[gh/acme/api].settings",
        "project[gh/acme/other].env_var[LOG_LEVEL]",
        "project[gh/acme/other].env_var[OLD]",
        "project[gh/acme/web].env_var[LOG_LEVEL]",
        "project[gh/acme/web].settings",
    ]

    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0

    requests.patch(
        f"{world.api}/project/gh/acme/web/settings",
        json={"advanced": {"build_fork_prs": False}},
        headers={"Circle-Token": TOKEN},
        timeout=10,
    ).raise_for_status()
    drift = cli("drift", path, "--format", "json")
    assert drift.exit_code == 2
    [changed] = [o for o in drift.json()["objects"] if o["status"] == "changed"]
    assert changed["address"] == "project[gh/acme/web].settings"
    assert changed["detail"].endswith(f"{org}5)")
    text = cli("drift", path, "--no-color").stdout
    assert f"{org}5)" in text
