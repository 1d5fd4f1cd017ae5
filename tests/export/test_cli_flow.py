"""The user's path through the CLI: export, validate, then nightly drift as JUnit with no
secret set (the export adopts them), against the emulator; then a hand-made change shows up
as a failing test case."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner

from reconciler.cli import main
from tests.export.seed import API, HOOK_SECRET, ORG, TOKEN, WEB, seed


def test_export_validate_and_drift(emulator_factory: Any, tmp_path: Path) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    runner = CliRunner()
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    out = tmp_path / "manifests" / "acme.yaml"
    out.parent.mkdir()
    args = ["export", "--org", ORG, "--project", API, "--project", WEB, "--output", str(out)]
    result = runner.invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["validate", str(out.parent)]).exit_code == 0

    report = tmp_path / "test-results" / "drift.xml"
    drift = ["drift", str(out.parent), "--format", "junit", "--output", str(report)]
    result = runner.invoke(main, drift, env=env)
    assert result.exit_code == 0, result.output
    root = ET.parse(report).getroot()
    assert root.get("failures") == "0" and int(root.get("tests") or 0) > 30

    # A setting changed by hand in CircleCI's UI: drift exits 2 and names it.
    headers = {"Circle-Token": TOKEN}
    requests.patch(
        f"{emulator.url}/api/v2/project/{API}/settings",
        json={"advanced": {"build_fork_prs": False}},
        headers=headers,
        timeout=10,
    ).raise_for_status()
    result = runner.invoke(main, drift, env=env)
    assert result.exit_code == 2, result.output
    failed = ET.parse(report).getroot().findall(".//failure/..")
    assert [c.get("name") for c in failed] == [f"project[{API}].settings"]
    body = failed[0].findtext("failure") or ""
    assert "build_fork_prs: manifest=true live=false" in body
    text = report.read_text(encoding="utf-8")
    assert "PLANTED" not in text and HOOK_SECRET not in text
