"""A seeded organization with every kind, more objects than one page (page size 2), and the
secret values the round trip sets as placeholders."""

from __future__ import annotations

from typing import Any

ORG = "gh/acme"
TOKEN = "export-token"
API, WEB, TOOLS = "gh/acme/api", "gh/acme/web", "gh/acme/tools"
SECRETS = {
    ("project", API, "NPM_TOKEN"): "npm-PLANTED-9f8e7d6c",
    ("project", API, "SENTRY_DSN"): "https://key@sentry.example/1",
    ("project", API, "LOG_LEVEL"): "debug",
    ("project", API, "on"): "yes",
    ("project", WEB, "NPM_TOKEN"): "npm-web-0001",
    ("project", WEB, "CDN_KEY"): "cdn-0002",
    ("project", WEB, "A"): "x",
    ("context", "aws-prod", "AWS_ACCESS_KEY_ID"): "AKIA-PLANTED-0000",
    ("context", "aws-prod", "AWS_SECRET_ACCESS_KEY"): "aws-PLANTED-secret",
    ("context", "aws-prod", "AWS_REGION"): "eu-west-1",
    ("context", "aws_prod", "AWS_ACCESS_KEY_ID"): "AKIA-other-1111",
    ("context", "npm", "NPM_TOKEN"): "npm-ctx-2222",
    ("context", "empty", "X"): "1",
}
HOOK_SECRET = "whsec-PLANTED-5555"


def _env(kind: str, owner: str) -> dict[str, str]:
    return {n: v for (k, o, n), v in SECRETS.items() if (k, o) == (kind, owner)}


def seed() -> dict[str, Any]:
    nightly = {
        "description": "Nightly: build main, then report",
        "attribution_actor": "system",
        "timetable": {"per_hour": 1, "hours_of_day": [3, 1], "days_of_week": ["FRI", "MON"]},
        "parameters": {"branch": "main", "run-nightly": True, "depth": 3, "mode": "on"},
    }
    weekly = {
        "timetable": {
            "per_hour": 2,
            "hours_of_day": [12],
            "days_of_month": [1, 15],
            "months": ["JAN", "JUL"],
        },
        "parameters": {"tag": "v1.0"},
    }
    hourly = {
        "description": "every hour",
        "timetable": {"per_hour": 1, "hours_of_day": list(range(24)), "days_of_week": ["SUN"]},
        "parameters": {"branch": "release/1.x"},
    }
    return {
        "users": [{"login": "exporter", "token": TOKEN, "organizations": [ORG]}],
        "organizations": {
            ORG: {
                "groups": ["platform"],
                "projects": {
                    API: {
                        "settings": {
                            "build_fork_prs": True,
                            "autocancel_builds": True,
                            "pr_only_branch_overrides": ["main", "release"],
                        },
                        "env_vars": _env("project", API),
                        "checkout_keys": ["deploy-key", "user-key"],
                        "schedules": {"nightly": nightly, "weekly": weekly, "hourly": hourly},
                        "webhooks": {
                            "slack": {
                                "url": "https://hooks.example.com/circleci",
                                "events": ["workflow-completed", "job-completed"],
                                "verify_tls": False,
                                "signing_secret": HOOK_SECRET,
                            },
                            "audit log": {
                                "url": "https://audit.example.com/in?x=1",
                                "events": ["job-completed"],
                            },
                            "pager": {
                                "url": "https://pager.example.com/",
                                "events": ["workflow-completed"],
                                "signing_secret": "pager-PLANTED-6666",
                            },
                        },
                    },
                    WEB: {"env_vars": _env("project", WEB), "checkout_keys": ["deploy-key"]},
                    TOOLS: {},  # not exported: named only in a restriction
                },
                "contexts": {
                    "aws-prod": {
                        "env_vars": _env("context", "aws-prod"),
                        "restrictions": {
                            "projects": [API, WEB],
                            "expressions": ['pipeline.git.branch == "main"', "a: b # c"],
                            "groups": ["platform"],
                        },
                    },
                    "aws_prod": {"env_vars": _env("context", "aws_prod")},
                    "npm": {
                        "env_vars": _env("context", "npm"),
                        "restrictions": {"projects": [TOOLS]},
                    },
                    "empty": {"env_vars": _env("context", "empty")},
                    "no vars": {},
                },
            }
        },
    }
