"""A GitHub App organization with one project whose repository CircleCI knows, and an
OAuth organization's project, for the pipeline definition and trigger tests."""

from __future__ import annotations

import copy
from typing import Any

from reconciler.emulator.util import uuid_key
from tests.e2e.harness import TOKEN

ORG_ID = "6f1c2b9a-4d3e-4f5a-8b7c-1d2e3f4a5b6c"
PROJECT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ORG = f"circleci/{uuid_key(ORG_ID)}"
SLUG = f"{ORG}/{uuid_key(PROJECT_ID)}"
DOCS_ID = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
DOCS = f"{ORG}/{uuid_key(DOCS_ID)}"
OTHER_REPO = {"full_name": "acme/docs", "external_id": "20002"}

SEED: dict[str, Any] = {
    "users": [{"login": "alice", "token": TOKEN, "organizations": [ORG]}],
    "organizations": {
        ORG: {
            "id": ORG_ID,
            "projects": {
                SLUG: {
                    "id": PROJECT_ID,
                    "name": "api",
                    "repository": {"full_name": "acme/api", "external_id": "10001"},
                    "pipeline_definitions": {
                        "build": {
                            "description": "Main pipeline",
                            "config_source": {
                                "repo": "acme/api",
                                "file_path": ".circleci/config.yml",
                            },
                            "checkout_source": {"repo": "acme/api"},
                            "triggers": {
                                "push": {"provider": "github_app", "event_preset": "all-pushes"}
                            },
                        }
                    },
                },
                # The docs repository is the org's, but no definition names it yet.
                DOCS: {"id": DOCS_ID, "name": "docs", "repository": OTHER_REPO},
            },
        }
    },
}

MANIFEST: dict[str, Any] = {
    "version": 1,
    "organization": ORG,
    "projects": {
        SLUG: {
            "pipeline_definitions": {
                "build": {
                    "description": "Main pipeline",
                    "config_source": {"repo": "acme/api", "file_path": ".circleci/config.yml"},
                    "checkout_source": {"repo": "acme/api"},
                    "triggers": {
                        "push": {"provider": "github_app", "event_preset": "all-pushes"},
                        "prs": {"provider": "github_app", "event_preset": "only-open-prs"},
                        "nightly": {
                            "provider": "schedule",
                            "cron_expression": "0 2 * * *",
                            "attribution_actor": "system",
                            "checkout_ref": "main",
                            "config_ref": "main",
                            "parameters": {"deploy": False},
                        },
                        "alerts": {
                            "provider": "webhook",
                            "sender": "datadog",
                            "checkout_ref": "main",
                            "config_ref": "main",
                        },
                    },
                },
                "docs": {
                    "config_source": {"provider": "circleci", "file_path": "docs.yml"},
                    "checkout_source": {"repo": OTHER_REPO},
                    "triggers": {},
                },
            }
        }
    },
}


def seed() -> dict[str, Any]:
    return copy.deepcopy(SEED)


def manifest() -> dict[str, Any]:
    return copy.deepcopy(MANIFEST)


def definitions(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in state["tables"].get("pipeline_definitions", {}).values()}


def triggers(state: dict[str, Any], definition: str) -> list[dict[str, Any]]:
    d = definitions(state)[definition]
    table = state["tables"].get("pipeline_triggers", {}).values()
    return sorted((t for t in table if t["definition_id"] == d["id"]), key=lambda t: t["id"])
