"""End-to-end helpers: manifests on disk, the CLI run in-process against a real emulator,
and a scan of every output for the test secrets."""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from ruamel.yaml import YAML

from reconciler.cli import main

# Every secret value the end-to-end tests use; none may appear in any output.
SECRETS = {
    "NPM_TOKEN": "npm-secret-value-1111",
    "WEBHOOK_SECRET": "hook-secret-value-2222",
    "PROD_KEY_ID": "AKIA-secret-value-3333",
    "PROD_SECRET": "aws-secret-value-4444",
    "FILE_SECRET": "file-secret-value-5555",
}
TOKEN = "e2e-token-do-not-print"
# gh/acme is a GitHub OAuth org: its security groups (GitHub teams) are named by id, since
# CircleCI's groups API serves standalone organizations only.
PLATFORM_ID = "5b0c3f7e-1d2a-4c8b-9e6f-0a1b2c3d4e5f"

COMPLETE: dict[str, Any] = {
    "version": 1,
    "organization": "gh/acme",
    "policy": {"max_deletes": 10, "manage_contexts": ["tmp-*"]},
    "projects": {
        "gh/acme/api": {
            "settings": {
                "build_fork_prs": False,
                "autocancel_builds": True,
                "pr_only_branch_overrides": ["main", "release"],
            },
            "env_vars": {
                "LOG_LEVEL": "debug",
                "NPM_TOKEN": {"env": "NPM_TOKEN"},
                "SENTRY_DSN": {"file": "secrets/sentry"},
            },
            "checkout_keys": ["deploy-key"],
            "schedules": {
                "nightly": {
                    "description": "Nightly build of main",
                    "attribution_actor": "system",
                    "timetable": {
                        "per_hour": 1,
                        "hours_of_day": [3],
                        "days_of_week": ["MON", "TUE", "WED", "THU", "FRI"],
                    },
                    "parameters": {"branch": "main", "run-nightly": True},
                }
            },
            "webhooks": {
                "slack": {
                    "url": "https://hooks.example.com/circleci",
                    "events": ["workflow-completed", "job-completed"],
                    "verify_tls": True,
                    "signing_secret": {"env": "WEBHOOK_SECRET"},
                }
            },
        },
        "gh/acme/new": {"create": True, "env_vars": {"MODE": "fresh"}},
    },
    "contexts": {
        "aws-prod": {
            "protect": True,
            "restrictions": {
                "projects": ["gh/acme/api", "gh/acme/other"],
                "expressions": ['pipeline.git.branch == "main"'],
                "groups": [PLATFORM_ID],
            },
            "env_vars": {
                "AWS_ACCESS_KEY_ID": {"env": "PROD_KEY_ID"},
                "AWS_SECRET_ACCESS_KEY": {"env": "PROD_SECRET"},
            },
        }
    },
}

SEED: dict[str, Any] = {
    "users": [{"login": "alice", "token": TOKEN, "organizations": ["gh/acme"]}],
    "organizations": {
        "gh/acme": {
            "groups": {"platform": PLATFORM_ID},
            "projects": {
                "gh/acme/api": {},
                "gh/acme/web": {"env_vars": {"UNTOUCHED": "keep-me"}},
                "gh/acme/other": {},
            },
            "contexts": {"unmanaged": {"env_vars": {"X": "1"}}},
        }
    },
}


def complete() -> dict[str, Any]:
    return copy.deepcopy(COMPLETE)


def seed() -> dict[str, Any]:
    return copy.deepcopy(SEED)


def write_manifest(directory: Path, data: dict[str, Any], name: str = "circleci.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "secrets").mkdir(exist_ok=True)
    (directory / "secrets" / "sentry").write_text(SECRETS["FILE_SECRET"] + "\n")
    buf = io.StringIO()
    YAML().dump(data, buf)
    path = directory / name
    path.write_text(buf.getvalue())
    return path


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Cli:
    """Runs the real CLI in-process with the emulator's host and token in its environment."""

    host: str
    env: dict[str, str] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)

    def __call__(self, *args: Any, env: dict[str, str | None] | None = None) -> Run:
        """`env` values of None unset a variable."""
        full: dict[str, str | None] = {
            "CIRCLECI_HOST": self.host,
            "CIRCLECI_TOKEN": TOKEN,
            "CI": "true",
            **SECRETS,
            **self.env,
            **(env or {}),
        }
        result = CliRunner().invoke(main, [str(a) for a in args], env=full, catch_exceptions=False)
        run = Run(result.exit_code, result.stdout, result.stderr)
        self.outputs.extend([run.stdout, run.stderr])
        return run

    def assert_no_secrets(self, *extra_files: Path) -> None:
        texts = list(self.outputs) + [p.read_text() for p in extra_files if p.exists()]
        for text in texts:
            for value in [*SECRETS.values(), TOKEN]:
                assert value not in text, "a secret value or the token leaked into an output"


def writes(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in requests if r["method"] in ("POST", "PUT", "PATCH", "DELETE")]


def project_by_slug(state: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(p for p in state["projects"].values() if p["slug"] == slug)


def context_by_name(state: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in state["contexts"].values() if c["name"] == name)
