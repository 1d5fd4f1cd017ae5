"""A GitHub OAuth project: CircleCI made its definition (read-only through the API); the
manifest manages the triggers on it, schedule triggers included, and exports them back."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.e2e.harness import TOKEN, Cli, write_manifest

OAUTH = {
    "config_source": {
        "provider": "github_oauth",
        "repo": "acme/api",
        "file_path": ".circleci/config.yml",
    },
    "checkout_source": {"provider": "github_oauth", "repo": "acme/api"},
}
SEED = {
    "users": [{"login": "alice", "token": TOKEN, "organizations": ["gh/acme"]}],
    "organizations": {
        "gh/acme": {
            "projects": {
                "gh/acme/api": {
                    "repository": {"full_name": "acme/api", "external_id": "10001"},
                    "pipeline_definitions": {
                        "default": {**OAUTH, "triggers": {"push": {"provider": "github_oauth"}}}
                    },
                }
            }
        }
    },
}
MANIFEST = {
    "version": 1,
    "organization": "gh/acme",
    "projects": {
        "gh/acme/api": {
            "pipeline_definitions": {
                "default": {
                    **OAUTH,
                    "triggers": {
                        "push": {"provider": "github_oauth"},
                        "nightly": {
                            "provider": "schedule",
                            "cron_expression": "0 4 * * SAT",
                            "checkout_ref": "main",
                            "config_ref": "main",
                        },
                    },
                }
            }
        }
    },
}


def test_triggers_on_a_github_oauth_definition(emulator_factory: Any, tmp_path: Path) -> None:
    world = emulator_factory(seed=SEED, tokens=())
    cli = Cli(host=world.url)
    path = write_manifest(tmp_path, MANIFEST)
    plan = cli("plan", path, "--format", "json").json()
    assert [(c["address"], c["action"]) for c in plan["changes"]] == [
        ("project[gh/acme/api].pipeline_definition[default].trigger[nightly]", "create")
    ]
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
    out = tmp_path / "exported.yaml"
    assert cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "-o", out).exit_code == 0
    assert "provider: github_oauth" in out.read_text()
    assert cli("plan", out, "--detailed-exitcode").exit_code == 0


def test_a_github_oauth_definition_is_never_written(emulator_factory: Any, tmp_path: Path) -> None:
    """CircleCI's API refuses to create, change or delete one: the plan stops before any
    write, naming each, rather than failing at apply after other writes."""
    world = emulator_factory(seed=SEED, tokens=())
    cli = Cli(host=world.url)
    data = copy.deepcopy(MANIFEST)
    defs = data["projects"]["gh/acme/api"]["pipeline_definitions"]
    defs["default"]["config_source"]["file_path"] = ".circleci/other.yml"
    defs["extra"] = copy.deepcopy(OAUTH)
    path = write_manifest(tmp_path, data)
    world.reset_requests()
    for args in (["plan"], ["apply", "--auto-approve"]):
        run = cli(*args[:1], path, *args[1:])
        assert run.exit_code == 1
        assert "[default]: a GitHub OAuth definition cannot be changed" in run.stderr
        assert "[extra]: CircleCI makes a GitHub OAuth project's definitions" in run.stderr
    drift = cli("drift", path)  # drift reports the difference instead
    assert "GitHub OAuth" not in drift.stderr and ".circleci/other.yml" in drift.stdout
    data["projects"]["gh/acme/api"]["pipeline_definitions"] = {}
    run = cli("plan", write_manifest(tmp_path, data))
    assert run.exit_code == 1 and "cannot be deleted through the API" in run.stderr
    assert {r["method"] for r in world.requests()} == {"GET"}
