"""Messages people read after a plan: each says one true thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import Cli, complete, write_manifest


def test_a_masked_suffix_is_not_called_a_match(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve").exit_code == 0
    plan = cli("plan", path, "--format", "json").json()
    (note,) = [n for n in plan["object_notes"] if n["address"].endswith("env_var[LOG_LEVEL]")]
    assert note == {
        "address": "project[gh/acme/api].env_var[LOG_LEVEL]",
        "cause": "not_compared",
        "note": "value not compared: CircleCI shows only its last 3 characters, too few to tell",
    }


def test_a_literal_is_shown_and_a_reference_is_not(cli: Cli, world: Any, tmp_path: Path) -> None:
    out = cli("plan", write_manifest(tmp_path, complete())).stdout
    block = out.split("+ project[gh/acme/api].env_var[LOG_LEVEL]\n")[1].split("\n\n")[0]
    assert block.splitlines()[-1] == '      value: "debug"'
    block = out.split("+ project[gh/acme/api].env_var[SENTRY_DSN]\n")[1].split("\n\n")[0]
    assert block.splitlines()[-1] == "      value: (sensitive)"


def test_drift_shows_a_literal_and_never_the_live_value(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve").exit_code == 0
    manifest = complete()
    manifest["projects"]["gh/acme/api"]["env_vars"]["LOG_LEVEL"] = "verbose"
    path = write_manifest(tmp_path, manifest)
    report = cli("drift", path, "--format", "json")
    assert report.exit_code == 2
    (obj,) = [o for o in report.json()["objects"] if o["address"].endswith("[LOG_LEVEL]")]
    assert obj["fields"] == [{"field": "value", "manifest": "verbose", "live": "(sensitive)"}]
    for fmt in ("text", "markdown", "junit"):
        out = cli("drift", path, "--format", fmt).stdout
        assert "verbose" in out and "debug" not in out, fmt
