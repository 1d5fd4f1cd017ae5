"""The command: formats (SARIF checked against the 2.1.0 schema), exit codes, --list-rules."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.lint import RULES
from tests.e2e.harness import Cli, write_manifest
from tests.lint.support import manifest

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
RISKY = manifest(
    projects={
        "gh/acme/api": {
            "settings": {"build_fork_prs": True, "forks_receive_secret_env_vars": True},
            "checkout_keys": ["user-key"],
        }
    },
    contexts={"prod": {"env_vars": {"AWS_SECRET_ACCESS_KEY": {"env": "PROD_SECRET"}}}},
)
MEDIUM_ONLY = manifest(projects={"gh/acme/api": {"checkout_keys": ["user-key"]}})


@pytest.fixture
def cli() -> Cli:
    return Cli(host="http://127.0.0.1:9")  # offline: nothing may be called


def lint(cli: Cli, tmp_path: Path, data: dict[str, Any], *args: str) -> Any:
    return cli("lint", write_manifest(tmp_path, data), *args)


def test_sarif_validates_and_carries_rules_locations_fingerprints(cli: Cli, tmp_path: Path) -> None:
    run = lint(cli, tmp_path, RISKY, "--format", "sarif")
    assert run.exit_code == 2
    log = run.json()
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (sarif_run,) = log["runs"]
    ids = [r["id"] for r in sarif_run["tool"]["driver"]["rules"]]
    assert set(ids) == set(RULES)
    result = next(r for r in sarif_run["results"] if r["ruleId"] == "fork-prs-receive-secrets")
    assert ids[result["ruleIndex"]] == "fork-prs-receive-secrets"
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] > 1 and region["startColumn"] > 1
    assert result["partialFingerprints"]
    cli.assert_no_secrets()


def test_fingerprints_survive_moved_lines(cli: Cli, tmp_path: Path) -> None:
    """Code scanning tracks a finding by its fingerprint: a comment above it changes lines,
    not the fingerprint."""
    path = write_manifest(tmp_path, RISKY)
    before = cli("lint", path, "--format", "sarif").json()["runs"][0]["results"]
    path.write_text("# a comment\n# another\n" + path.read_text())
    after = cli("lint", path, "--format", "sarif").json()["runs"][0]["results"]

    def keyed(results: list[dict[str, Any]]) -> dict[str, int]:
        return {
            json.dumps(r["partialFingerprints"]): r["locations"][0]["physicalLocation"]["region"][
                "startLine"
            ]
            for r in results
        }

    old, new = keyed(before), keyed(after)
    assert set(old) == set(new)
    assert all(new[k] == old[k] + 2 for k in old)


def test_live_sarif_locates_by_address() -> None:
    from reconciler.render.sarif import render_sarif

    report = {
        "mode": "live",
        "rules": [{"id": "x", "title": "X", "severity": "low", "rationale": "r", "fix": "f"}],
        "findings": [
            {
                "rule": "x",
                "severity": "low",
                "message": "m",
                "address": "context[a]",
                "location": None,
                "fingerprint": "abc",
                "suppressed": None,
            }
        ],
    }
    log = json.loads(render_sarif(report))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    loc = log["runs"][0]["results"][0]["locations"][0]
    assert loc == {"logicalLocations": [{"fullyQualifiedName": "context[a]", "kind": "resource"}]}


def test_junit_for_the_tests_tab(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "results" / "lint.xml"
    run = lint(cli, tmp_path, RISKY, "--format", "junit", "--output", out)
    assert run.exit_code == 2
    root = ET.fromstring(out.read_text())
    failed = {c.get("classname") for c in root.iter("testcase") if c.find("failure") is not None}
    assert {"fork-prs-receive-secrets", "checkout-user-key", "context-unrestricted"} <= failed
    assert int(root.get("failures", "0")) == len(
        [c for c in root.iter("testcase") if c.find("failure") is not None]
    )


def test_json_report(cli: Cli, tmp_path: Path) -> None:
    report = lint(cli, tmp_path, RISKY, "--format", "json").json()
    assert report["mode"] == "offline" and report["fail_on"] == "high"
    assert report["summary"]["failing"] == 2  # critical fork secrets, high unrestricted context
    for f in report["findings"]:
        assert set(f) >= {"rule", "severity", "message", "address", "location", "fingerprint"}


@pytest.mark.parametrize(
    ("data", "args", "code"),
    [
        (RISKY, (), 2),
        (MEDIUM_ONLY, (), 0),
        (MEDIUM_ONLY, ("--fail-on", "medium"), 2),
        (MEDIUM_ONLY, ("--fail-on", "critical"), 0),
        (manifest(), (), 0),
    ],
)
def test_exit_codes(
    cli: Cli, tmp_path: Path, data: dict[str, Any], args: tuple[str, ...], code: int
) -> None:
    assert lint(cli, tmp_path, data, *args).exit_code == code


def test_errors_exit_1(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\norganization: gh/acme\nprojects: {gh/acme/api: {nope: 1}}\n")
    assert cli("lint", broken).exit_code == 1
    assert cli("lint").exit_code == 1  # no manifest
    assert cli("lint", broken, "--format", "yaml").exit_code == 1  # usage


def test_text_output_names_place_rule_and_object(cli: Cli, tmp_path: Path) -> None:
    run = lint(cli, tmp_path, RISKY)
    assert "circleci.yaml:" in run.stdout
    assert "[fork-prs-receive-secrets]" in run.stdout
    assert "at project[gh/acme/api].settings" in run.stdout
    assert "at or above high" in run.stdout


def test_list_rules(cli: Cli) -> None:
    run = cli("lint", "--list-rules")
    assert run.exit_code == 0
    for r in RULES.values():
        assert r.id in run.stdout and r.rationale in run.stdout and r.fix in run.stdout
    # Every rule's kinds exist now: none is listed as waiting for one.
    assert "[not available" not in run.stdout


def test_the_readme_lists_every_rule() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    missing = [r for r in RULES if f"`{r}`" not in readme]
    assert not missing


def test_offline_lint_resolves_no_secret(tmp_path: Path) -> None:
    """Names and settings are enough: an unset variable or a missing file is no error."""
    data = manifest(
        projects={"gh/acme/api": {"env_vars": {"A": {"env": "UNSET_VAR"}, "B": {"file": "nope"}}}}
    )
    run = Cli(host="http://127.0.0.1:9")("lint", write_manifest(tmp_path, data))
    assert run.exit_code == 0, run.stderr
