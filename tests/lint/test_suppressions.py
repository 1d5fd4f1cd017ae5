"""policy.lint suppressions: by rule and address glob, with a required reason; one that
matches nothing is itself reported; mistakes are manifest errors at file:line:col."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Cli, write_manifest
from tests.lint.support import manifest, offline, rules_found

FORKS = manifest(
    projects={
        "gh/acme/api": {
            "settings": {"build_fork_prs": True, "forks_receive_secret_env_vars": True}
        },
        "gh/acme/web": {"checkout_keys": ["user-key"]},
    }
)


def suppressed(*entries: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(FORKS)
    data["policy"] = {"lint": {"suppress": list(entries)}}
    return data


def test_a_suppression_hides_the_finding_and_keeps_it_on_record(tmp_path: Path) -> None:
    report = offline(
        tmp_path,
        suppressed(
            {
                "rule": "fork-prs-receive-secrets",
                "address": "project[gh/acme/api].*",
                "reason": "public demo repository, no real secrets",
            }
        ),
    )
    assert "fork-prs-receive-secrets" not in rules_found(report)
    (hidden,) = [f for f in report["findings"] if f["suppressed"]]
    assert hidden["suppressed"]["reason"] == "public demo repository, no real secrets"
    assert report["summary"]["failing"] == 0


def test_the_glob_must_match_the_address(tmp_path: Path) -> None:
    entry = {"rule": "checkout-user-key", "address": "project[gh/acme/api].*", "reason": "r"}
    report = offline(tmp_path, suppressed(entry))
    assert "checkout-user-key" in rules_found(report)  # the key is on gh/acme/web
    assert "suppression-unused" in rules_found(report)


def test_an_unused_suppression_is_reported_at_its_place(tmp_path: Path) -> None:
    report = offline(
        tmp_path, suppressed({"rule": "webhook-unsigned", "reason": "nothing matches this"})
    )
    (unused,) = [f for f in report["findings"] if f["rule"] == "suppression-unused"]
    assert unused["address"] == "policy.lint.suppress[0]"
    text = (tmp_path / "circleci.yaml").read_text().splitlines()
    assert "rule: webhook-unsigned" in text[unused["location"]["line"] - 1]


def test_suppressed_findings_are_marked_in_sarif(tmp_path: Path) -> None:
    entry = {"rule": "fork-prs-receive-secrets", "reason": "accepted"}
    run = Cli(host="http://127.0.0.1:9")(
        "lint", write_manifest(tmp_path, suppressed(entry)), "--format", "sarif"
    )
    assert run.exit_code == 0
    results = run.json()["runs"][0]["results"]
    fork = next(r for r in results if r["ruleId"] == "fork-prs-receive-secrets")
    assert fork["suppressions"] == [{"kind": "inSource", "justification": "accepted"}]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"rule": "no-such-rule", "reason": "r"}, "no lint rule is called 'no-such-rule'"),
        ({"rule": "checkout-user-key"}, "reason"),
        ({"rule": "checkout-user-key", "reason": "  "}, ""),
        ({"rule": "Checkout User Key", "reason": "r"}, ""),
    ],
)
def test_mistakes_are_manifest_errors_with_positions(
    tmp_path: Path, entry: dict[str, Any], message: str
) -> None:
    path = write_manifest(tmp_path, suppressed(entry))
    run = Cli(host="http://127.0.0.1:9")("lint", path)
    assert run.exit_code == 1
    assert f"{path}:" in run.stderr or "circleci.yaml:" in run.stderr
    assert message in run.stderr
    line = run.stderr.split("circleci.yaml:", 1)[1].split(":")[0]
    assert int(line) > 1


def test_the_example_suppresses_its_one_finding() -> None:
    example = Path(__file__).parents[2] / "examples" / "lint.yaml"
    run = Cli(host="http://127.0.0.1:9")("lint", example, "--format", "json")
    assert run.exit_code == 0
    assert [f["rule"] for f in run.json()["findings"]] == ["checkout-user-key"]
    assert run.json()["summary"] == {"findings": 0, "suppressed": 1, "failing": 0}
