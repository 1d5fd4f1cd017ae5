"""Plan dicts for the render tests, in the shape `Plan.to_dict()` produces."""

from __future__ import annotations

import copy
from typing import Any

S = "(sensitive)"
CHECKSUM = "sha256:" + "3f" * 32
LONG = (
    "Nightly build of main, then the integration suite against staging, then a report to the "
    "release channel. " * 4
).strip()
PIPE_HTML = 'pipeline.git.branch == "main" || <script>alert(1)</script> & `rm -rf` | *bold*'


def _change(
    address: str,
    kind: str,
    action: str,
    reason: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    changed: list[str] | None = None,
    sensitive: list[str] | None = None,
    requires: list[str] | None = None,
    wave: int = 0,
) -> dict[str, Any]:
    c: dict[str, Any] = {
        "address": address,
        "kind": kind,
        "action": action,
        "reason": reason,
        "before": before,
        "after": after,
    }
    if action in ("update", "replace"):
        c["changed_fields"] = changed or []
    if sensitive:
        c["sensitive_fields"] = sensitive
    c["requires"] = requires or []
    c["wave"] = wave
    return c


NEW = "declared in the manifest, absent in CircleCI"
API = "project[gh/acme/api]"
WEB = "project[gh/acme/web]"
HOOK = {
    "events": ["workflow-completed"],
    "signing_secret": S,
    "url": "https://hooks.example.com/circleci",
    "verify_tls": True,
}


def full_plan() -> dict[str, Any]:
    """Every kind, every action, long values, unicode, `|`, backticks and HTML."""
    changes = [
        _change(WEB, "project", "create", NEW, None, {}),
        _change("context[aws-staging]", "context", "create", NEW, None, {}, requires=[], wave=0),
        _change(
            f"{API}.settings",
            "project_settings",
            "update",
            "differs from the manifest: build_fork_prs, pr_only_branch_overrides",
            {"build_fork_prs": True, "pr_only_branch_overrides": ["main"]},
            {"build_fork_prs": False, "pr_only_branch_overrides": ["develop", "main"]},
            changed=["build_fork_prs", "pr_only_branch_overrides"],
        ),
        _change(
            f"{API}.env_var[DEPLOY_KEY]",
            "project_env_var",
            "update",
            "differs from the manifest: value (version bumped from 1 to 2)",
            {"value": S},
            {"value": S},
            changed=["value"],
            sensitive=["value"],
        ),
        _change(
            f"{API}.schedule[nightly]",
            "schedule",
            "update",
            "differs from the manifest: description, parameters, timetable",
            {
                "attribution_actor": "system",
                "description": "Nightly build",
                "parameters": {"branch": "main"},
                "timetable": {"days_of_week": ["MON"], "hours_of_day": [3], "per_hour": 1},
            },
            {
                "attribution_actor": "system",
                "description": LONG,
                "parameters": {"branch": "main", "run-nightly": True, "weird key": None},
                "timetable": {
                    "days_of_week": ["FRI", "MON", "THU", "TUE", "WED"],
                    "hours_of_day": [3, 15],
                    "per_hour": 1,
                },
            },
            changed=["description", "parameters", "timetable"],
        ),
        _change(
            f"{API}.schedule[nächtlich — 夜間]",
            "schedule",
            "create",
            NEW,
            None,
            {
                "attribution_actor": "current",
                "description": "Ünïcödé ✓ 日本語 🚀",
                "parameters": {},
                "timetable": {"days_of_month": [1, 15], "hours_of_day": [0], "per_hour": 2},
            },
        ),
        _change(
            f"{API}.webhook[slack]",
            "webhook",
            "replace",
            "differs from the manifest: events, signing_secret, url (fingerprint differs)",
            HOOK,
            {**HOOK, "events": ["job-completed", "workflow-completed"], "url": PIPE_HTML},
            changed=["events", "signing_secret", "url"],
            sensitive=["signing_secret"],
        ),
        _change(
            'context[aws-prod].restriction[expression:pipeline.git.branch == "main"]',
            "context_restriction",
            "replace",
            "differs from the manifest: value",
            {"type": "expression", "value": 'pipeline.git.branch == "main"'},
            {"type": "expression", "value": PIPE_HTML},
            changed=["value"],
        ),
        _change(
            f"{WEB}.settings",
            "project_settings",
            "create",
            NEW,
            None,
            {"autocancel_builds": True, "build_fork_prs": False, "pr_only_branch_overrides": []},
            requires=[WEB],
            wave=1,
        ),
        _change(
            f"{WEB}.checkout_key[deploy-key]",
            "checkout_key",
            "create",
            NEW,
            None,
            {"type": "deploy-key"},
            requires=[WEB],
            wave=1,
        ),
        _change(
            f"{WEB}.env_var[NPM_TOKEN]",
            "project_env_var",
            "create",
            NEW,
            None,
            {"value": S},
            sensitive=["value"],
            requires=[WEB],
            wave=1,
        ),
        _change(
            "context[aws-staging].env_var[AWS_SECRET_ACCESS_KEY]",
            "context_env_var",
            "create",
            NEW,
            None,
            {"value": S},
            sensitive=["value"],
            requires=["context[aws-staging]"],
            wave=1,
        ),
        _change(
            f"{API}.env_var[OLD_TOKEN]",
            "project_env_var",
            "delete",
            "not in the manifest, which owns this env var collection",
            {"value": S},
            None,
            sensitive=["value"],
            wave=2,
        ),
        _change(
            f"{API}.webhook[legacy]",
            "webhook",
            "delete",
            "not in the manifest, which owns this webhook collection",
            {**HOOK, "url": "https://old.example.com/hook?a=1&b=<2>"},
            None,
            sensitive=["signing_secret"],
            wave=2,
        ),
        _change(
            "context[aws-prod].restriction[group:contractors]",
            "context_restriction",
            "delete",
            "not in the manifest, which owns this restriction collection",
            {"type": "group", "value": "5b0c3f7e-1d2a-4c8b-9e6f-0a1b2c3d4e5f"},
            None,
            wave=2,
        ),
        _change(
            "organization.config_policy[ci_version]",
            "config_policy",
            "update",
            "differs from the manifest: sha256",
            {"sha256": "eaa5b49630010192"},
            {"sha256": "8f4aa1cf9102fe13"},
            changed=["sha256"],
        ),
        _change(
            "organization.config_policy_settings",
            "config_policy_settings",
            "update",
            "differs from the manifest: enabled",
            {"enabled": False},
            {"enabled": True},
            changed=["enabled"],
        ),
        _change(
            "context[old-ci]",
            "context",
            "delete",
            "not in the manifest and matches policy.manage_contexts ['old-*']",
            {},
            None,
            requires=[],
            wave=3,
        ),
        _change(
            f"{API}.pipeline_definition[build]",
            "pipeline_definition",
            "update",
            "differs from the manifest: file_path",
            {"file_path": ".circleci/config.yml"},
            {"file_path": ".circleci/main.yml"},
            changed=["file_path"],
        ),
        _change(
            f"{API}.pipeline_definition[build].trigger[nightly]",
            "pipeline_trigger",
            "create",
            NEW,
            None,
            {"provider": "schedule", "cron_expression": "0 2 * * *", "disabled": False},
            requires=[],
            wave=1,
        ),
        # Kinds added later come last, so the changes above keep their places.
        _change(
            "organization.oidc_claim[ttl]",
            "oidc_claim",
            "update",
            "differs from the manifest: ttl",
            {"ttl": "1h30m"},
            {"ttl": "2h"},
            changed=["ttl"],
            wave=4,
        ),
        _change(
            f"{API}.oidc_claim[audience]",
            "project_oidc_claim",
            "create",
            NEW,
            None,
            {"audience": ["sts.amazonaws.com", "vault.example.com"]},
            wave=4,
        ),
        _change(
            "organization.url_orb_allow_list[public orbs]",
            "url_orb_allow_list_entry",
            "replace",
            "differs from the manifest: auth, prefix",
            {"auth": "none", "prefix": "https://raw.githubusercontent.com/acme/orbs/"},
            {"auth": "github-app", "prefix": "https://github.com/acme/orbs/"},
            changed=["auth", "prefix"],
            wave=4,
        ),
    ]
    return {
        "format_version": 1,
        "organization": "gh/acme",
        "checksum": CHECKSUM,
        "summary": {"create": 9, "update": 7, "replace": 3, "delete": 4},
        "refusals": [
            "the plan deletes 4 objects, more than policy.max_deletes (3); review it and pass "
            "--allow-deletes to proceed"
        ],
        "changes": changes,
        "notes": ["tamper detection is not possible for context[aws-prod]: <b>no</b> time"],
        "object_notes": [
            unseen(f"{API}.env_var[NPM_TOKEN]", "CircleCI never returns this value"),
            unseen(f"{API}.env_var[SENTRY_DSN]", "CircleCI never returns this value"),
            unseen(f"{WEB}.env_var[NPM_TOKEN]", "CircleCI never returns this value"),
            unseen("context[aws-prod].env_var[A|B]", "<b>no</b> `signal` here"),
        ],
    }


def unseen(address: str, why: str) -> dict[str, str]:
    """A note about one value no honest signal could compare, in the plan's dict form."""
    return {"address": address, "cause": "not_compared", "note": f"value not compared: {why}"}


def empty_plan(notes: list[str] | None = None) -> dict[str, Any]:
    return {
        "format_version": 1,
        "organization": "gh/acme",
        "checksum": CHECKSUM,
        "summary": {"create": 0, "update": 0, "replace": 0, "delete": 0},
        "changes": [],
        "notes": list(notes or []),
    }


def big_plan(n: int, notes: int = 0) -> dict[str, Any]:
    """`n` schedule creates with a few sizeable fields each, and `notes` notes."""
    plan = empty_plan([f"{API}.env_var[V{i}]: value not compared: no signal" for i in range(notes)])
    for i in range(n):
        after = {
            "description": f"schedule {i} | <b>{'x' * 120}</b>",
            "parameters": {"branch": "main", "n": i},
            "timetable": {"hours_of_day": [i % 24], "per_hour": 1},
        }
        plan["changes"].append(
            _change(f"{API}.schedule[s{i:05d}]", "schedule", "create", NEW, None, after)
        )
    plan["summary"]["create"] = n
    return plan


def with_secret(plan: dict[str, Any], secret: str) -> dict[str, Any]:
    """A copy whose sensitive fields carry `secret` instead of the mask (an upstream slip)."""
    out = copy.deepcopy(plan)
    for c in out["changes"]:
        for side in ("before", "after"):
            for f in c.get("sensitive_fields", []):
                if c[side] is not None and c[side].get(f) is not None:
                    c[side][f] = secret
    return out
