"""Drift dicts for the render tests, in the shape reconciler/drift.py builds."""

from __future__ import annotations

import copy
from typing import Any

S = "(sensitive)"
CHECKSUM = "sha256:" + "5a" * 32
API = "project[gh/acme/api]"
HTML = 'pipeline.git.branch == "main" || <script>alert(1)</script> & `rm -rf` | *bold* @team #12'


def _obj(address: str, kind: str, status: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    return {"address": address, "kind": kind, "status": status, "detail": detail, **extra}


def full_report() -> dict[str, Any]:
    """Every status, every kind, sensitive fields, markup and unicode in values."""
    objects = [
        _obj(API, "project", "ok"),
        _obj(
            f"{API}.checkout_key[deploy-key]",
            "checkout_key",
            "missing",
            "declared in the manifest, absent in CircleCI",
        ),
        _obj(
            f"{API}.checkout_key[user-key]",
            "checkout_key",
            "extra",
            "in CircleCI, not in the manifest",
        ),
        _obj(f"{API}.env_var[LOG_LEVEL]", "project_env_var", "ok"),
        _obj(
            f"{API}.env_var[NPM_TOKEN]",
            "project_env_var",
            "changed",
            "CircleCI's masked value ends differently",
            fields=[{"field": "value", "manifest": S, "live": S}],
        ),
        _obj(
            f"{API}.env_var[SENTRY_DSN]",
            "project_env_var",
            "tampered",
            "value rewritten outside the reconciler at 2024-05-01T10:00:00Z",
        ),
        _obj(
            f"{API}.schedule[nightly]",
            "schedule",
            "changed",
            "schedule differs",
            fields=[
                {
                    "field": "timetable",
                    "manifest": {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON"]},
                    "live": {"per_hour": 2, "hours_of_day": [3, 4], "days_of_week": ["MON"]},
                },
                {"field": "description", "manifest": "Nightly — main ✓", "live": HTML},
            ],
        ),
        _obj(
            f"{API}.settings",
            "project_settings",
            "changed",
            "settings differ",
            fields=[
                {"field": "build_fork_prs", "manifest": False, "live": True},
                {"field": "pr_only_branch_overrides", "manifest": ["main"], "live": None},
            ],
        ),
        _obj(
            f"{API}.webhook[slack]",
            "webhook",
            "changed",
            "webhook differs",
            fields=[
                {
                    "field": "url",
                    "manifest": "https://hooks.example.com/a",
                    "live": "https://x.example",
                },
                {"field": "signing_secret", "manifest": S, "live": S},
            ],
        ),
        _obj("context[aws-prod]", "context", "ok"),
        _obj(
            "organization.oidc_claim[ttl]",
            "oidc_claim",
            "changed",
            "differs from the manifest: ttl",
            fields=[{"field": "ttl", "manifest": "1h", "live": "5m"}],
        ),
        _obj(f"{API}.oidc_claim[audience]", "project_oidc_claim", "ok"),
        _obj(
            "organization.url_orb_allow_list[public orbs]",
            "url_orb_allow_list_entry",
            "extra",
            "not in organization_settings.url_orb_allow_list, which owns the list",
        ),
        _obj("context[aws-prod].env_var[AWS_ACCESS_KEY_ID]", "context_env_var", "ok"),
        _obj(
            'context[aws-prod].restriction[expression:pipeline.git.branch == "main"]',
            "context_restriction",
            "missing",
            "declared in the manifest, absent in CircleCI",
        ),
        _obj(
            "context[aws-prod].restriction[project:gh/acme/web]",
            "context_restriction",
            "extra",
            "in CircleCI, not in the manifest",
        ),
        _obj(
            "organization.config_policy[ci_version]",
            "config_policy",
            "changed",
            "differs from the manifest: sha256",
            fields=[
                {"field": "sha256", "manifest": "8f4aa1cf9102fe13", "live": "eaa5b49630010192"}
            ],
        ),
        _obj("organization.config_policy_settings", "config_policy_settings", "ok"),
        _obj(
            "context[scratch <b>|x|</b>]",
            "context",
            "unmanaged",
            "live in CircleCI, not in the manifest",
        ),
        _obj(
            f"{API}.pipeline_definition[build]",
            "pipeline_definition",
            "changed",
            "pipeline definition differs",
            fields=[{"field": "file_path", "manifest": ".circleci/config.yml", "live": "x.yml"}],
        ),
        _obj(
            f"{API}.pipeline_definition[build].trigger[push]",
            "pipeline_trigger",
            "changed",
            "trigger differs",
            fields=[{"field": "disabled", "manifest": False, "live": True}],
        ),
    ]
    objects.sort(key=lambda o: o["address"])
    statuses = ("ok", "changed", "missing", "extra", "unmanaged", "tampered")
    return {
        "format_version": 1,
        "organization": "gh/acme",
        "checksum": CHECKSUM,
        "in_sync": False,
        "summary": {s: sum(1 for o in objects if o["status"] == s) for s in statuses},
        "objects": objects,
        "notes": [
            "context[aws-prod].env_var[AWS_ACCESS_KEY_ID]: CircleCI never returns context values",
            "a note with <b>markup</b> | and `code`",
        ],
    }


def clean_report() -> dict[str, Any]:
    """In sync: every object ok, no notes."""
    report = full_report()
    objects = [o for o in report["objects"] if o["status"] == "ok"]
    statuses = report["summary"].keys()
    return {
        **report,
        "in_sync": True,
        "summary": {s: sum(1 for o in objects if o["status"] == s) for s in statuses},
        "objects": copy.deepcopy(objects),
        "notes": [],
    }
