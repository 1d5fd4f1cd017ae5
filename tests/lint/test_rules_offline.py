"""Each rule against a manifest that triggers it and one that does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.lint import platform_rules
from reconciler.lint.rules import any_branch
from tests.lint.support import manifest, offline, rules_found

SECRET = {"X_TOKEN": {"env": "X_TOKEN"}}
HOOK = {"url": "https://hooks.example.com/ci", "events": ["workflow-completed"]}
TIMETABLE = {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON"]}
SCHEDULE = {"timetable": TIMETABLE, "parameters": {"branch": "main"}}


def project(**body: Any) -> dict[str, Any]:
    return {"projects": {"gh/acme/api": body}}


def definition(**triggers: Any) -> dict[str, Any]:
    """A pipeline definition that checks out through the GitHub App, with `triggers`."""
    repo = {"full_name": "acme/api", "external_id": "10001"}
    return {
        "build": {
            "config_source": {"repo": repo, "file_path": ".circleci/config.yml"},
            "checkout_source": {"repo": repo},
            "triggers": triggers,
        }
    }


ORBS = "https://raw.githubusercontent.com/acme/orbs/"
NIGHTLY = {
    "provider": "schedule",
    "cron_expression": "0 2 * * *",
    "checkout_ref": "main",
    "config_ref": "main",
}


CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "context-unrestricted",
        {"contexts": {"prod": {"env_vars": SECRET}}},
        {"contexts": {"prod": {"env_vars": SECRET, "restrictions": {"projects": ["gh/acme/api"]}}}},
    ),
    (
        "context-unrestricted",
        {
            "contexts": {
                "prod": {
                    "env_vars": SECRET,
                    "restrictions": {"expressions": ['pipeline.git.branch =~ ".*"']},
                }
            }
        },
        {
            "contexts": {
                "prod": {
                    "env_vars": SECRET,
                    "restrictions": {"expressions": ['pipeline.git.branch == "main"']},
                }
            }
        },
    ),
    (
        "fork-prs-receive-secrets",
        project(settings={"build_fork_prs": True, "forks_receive_secret_env_vars": True}),
        project(settings={"build_fork_prs": True, "forks_receive_secret_env_vars": False}),
    ),
    (
        "settings-not-admin-only",
        project(settings={"write_settings_requires_admin": False}),
        project(settings={"write_settings_requires_admin": True}),
    ),
    (
        "webhook-tls-unverified",
        project(webhooks={"slack": {**HOOK, "verify_tls": False, "signing_secret": "s"}}),
        project(webhooks={"slack": {**HOOK, "verify_tls": True, "signing_secret": "s"}}),
    ),
    (
        "webhook-unsigned",
        project(webhooks={"slack": {**HOOK, "signing_secret": ""}}),
        project(webhooks={"slack": {**HOOK, "signing_secret": {"env": "HOOK_SECRET"}}}),
    ),
    (
        "checkout-user-key",
        project(checkout_keys=["user-key"]),
        project(checkout_keys=["deploy-key"]),
    ),
    (
        "long-lived-cloud-credentials",
        project(env_vars={"AWS_SECRET_ACCESS_KEY": {"env": "K"}}),
        project(env_vars={"AWS_REGION": "eu-west-1", "AWS_ROLE_ARN": "arn:aws:iam::1:role/ci"}),
    ),
    (
        "long-lived-cloud-credentials",
        {"contexts": {"gcp": {"env_vars": {"GOOGLE_APPLICATION_CREDENTIALS": {"env": "K"}}}}},
        {"contexts": {"gcp": {"env_vars": {"GOOGLE_PROJECT_ID": "acme"}}}},
    ),
    (
        "schedule-user-attribution",
        project(schedules={"nightly": {**SCHEDULE, "attribution_actor": "current"}}),
        project(schedules={"nightly": {**SCHEDULE, "attribution_actor": "system"}}),
    ),
    (
        "github-app-legacy-schedule",
        project(pipeline_definitions=definition(), schedules={"nightly": SCHEDULE}),
        project(pipeline_definitions=definition(), schedules={}),
    ),
    (
        "trigger-user-attribution",
        project(pipeline_definitions=definition(nightly=NIGHTLY)),
        project(
            pipeline_definitions=definition(nightly={**NIGHTLY, "attribution_actor": "system"})
        ),
    ),
    (
        "long-lived-cloud-credentials",  # quiet where OIDC custom claims are configured
        project(env_vars={"AWS_SECRET_ACCESS_KEY": {"env": "K"}}),
        project(
            env_vars={"AWS_SECRET_ACCESS_KEY": {"env": "K"}},
            oidc_claims={"audience": ["sts.amazonaws.com"]},
        ),
    ),
    (
        "long-lived-cloud-credentials",
        {"contexts": {"aws": {"env_vars": {"AWS_SECRET_ACCESS_KEY": {"env": "K"}}}}},
        {
            "contexts": {"aws": {"env_vars": {"AWS_SECRET_ACCESS_KEY": {"env": "K"}}}},
            "organization_settings": {"oidc_claims": {"ttl": "30m"}},
        },
    ),
    (
        "url-orb-unpinned",
        {"organization_settings": {"url_orb_allow_list": {"orbs": {"prefix": ORBS}}}},
        {"organization_settings": {"url_orb_allow_list": {"orbs": {"prefix": ORBS + "v1.4.0/"}}}},
    ),
    (
        "config-policies-disabled",
        {"organization_settings": {"config_policies": {"enabled": False}}},
        {"organization_settings": {"config_policies": {"enabled": True}}},
    ),
]


@pytest.mark.parametrize(
    ("rule", "bad", "good"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_triggers_and_stays_quiet(
    tmp_path: Path, rule: str, bad: dict[str, Any], good: dict[str, Any]
) -> None:
    assert rule in rules_found(offline(tmp_path / "bad", manifest(**bad)))
    assert rule not in rules_found(offline(tmp_path / "good", manifest(**good)))


def test_a_finding_points_at_the_manifest_key(tmp_path: Path) -> None:
    report = offline(
        tmp_path,
        manifest(
            **project(settings={"build_fork_prs": True, "forks_receive_secret_env_vars": True})
        ),
    )
    (finding,) = [f for f in report["findings"] if f["rule"] == "fork-prs-receive-secrets"]
    text = (tmp_path / "circleci.yaml").read_text().splitlines()
    loc = finding["location"]
    assert loc["file"].endswith("circleci.yaml")
    assert text[loc["line"] - 1][loc["col"] - 1 :].startswith("forks_receive_secret_env_vars")
    assert finding["address"] == "project[gh/acme/api].settings"


def test_unmanaged_contexts_are_a_live_matter_only(tmp_path: Path) -> None:
    assert "context-unmanaged" not in rules_found(offline(tmp_path, manifest(contexts={"a": {}})))


def test_a_clean_manifest_has_no_findings(tmp_path: Path) -> None:
    clean = manifest(
        **project(
            settings={"write_settings_requires_admin": True, "build_fork_prs": False},
            checkout_keys=["deploy-key"],
            webhooks={"slack": {**HOOK, "signing_secret": {"env": "HOOK_SECRET"}}},
            schedules={"nightly": {**SCHEDULE, "attribution_actor": "system"}},
        ),
        contexts={"prod": {"env_vars": SECRET, "restrictions": {"groups": ["platform"]}}},
    )
    assert offline(tmp_path, clean)["findings"] == []


@pytest.mark.parametrize(
    ("expression", "any"),
    [
        ("true", True),
        ('pipeline.git.branch =~ ".*"', True),
        ('pipeline.git.branch != ""', True),
        ('pipeline.git.branch == "main" or pipeline.git.branch =~ ".+"', True),
        ('pipeline.git.branch == "main"', False),
        ('pipeline.git.branch starts-with "release/"', False),
    ],
)
def test_expressions_any_branch_satisfies(expression: str, any: bool) -> None:
    assert any_branch(expression) is any


def test_a_webhook_whose_signing_secret_is_left_alone_is_not_called_unsigned(
    tmp_path: Path,
) -> None:
    # Export writes webhooks without `signing_secret`, which leaves the live one alone.
    found = rules_found(offline(tmp_path, manifest(**project(webhooks={"slack": HOOK}))))
    assert "webhook-unsigned" not in found


@pytest.mark.parametrize(
    ("prefix", "pinned"),
    [
        ("https://raw.githubusercontent.com/acme/orbs/", False),
        ("https://raw.githubusercontent.com/acme/orbs/main/", False),
        ("https://example.com/", False),
        ("https://raw.githubusercontent.com/acme/orbs/v1.4.0/", True),
        ("https://raw.githubusercontent.com/acme/orbs/2.0.1-rc.1/", True),
        ("https://raw.githubusercontent.com/acme/orbs/" + "a" * 40 + "/", True),
    ],
)
def test_which_prefixes_are_pinned(prefix: str, pinned: bool) -> None:
    assert platform_rules.pinned(prefix) is pinned


def test_an_organization_finding_points_at_its_key(tmp_path: Path) -> None:
    data = manifest(organization_settings={"config_policies": {"enabled": False}})
    report = offline(tmp_path, data)
    (finding,) = [f for f in report["findings"] if f["rule"] == "config-policies-disabled"]
    assert finding["location"]["line"] == 4  # organization_settings.config_policies
