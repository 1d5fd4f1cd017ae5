"""Live lint against the emulator over real HTTP: each rule that live objects can trigger,
a clean organization, and the read: GET only, each collection once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import SECRETS, TOKEN, Cli, write_manifest
from tests.lint.support import manifest

TIMETABLE = {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON"]}
HOOK = {"url": "https://hooks.example.com/ci", "events": ["workflow-completed"]}
API = "project[gh/acme/api]"


def world(project: dict[str, Any], contexts: dict[str, Any]) -> dict[str, Any]:
    return {
        "users": [{"login": "alice", "token": TOKEN, "organizations": ["gh/acme"]}],
        "organizations": {"gh/acme": {"projects": {"gh/acme/api": project}, "contexts": contexts}},
    }


RISKY = world(
    {
        "settings": {"build_fork_prs": True, "forks_receive_secret_env_vars": True},
        "env_vars": {"AWS_SECRET_ACCESS_KEY": SECRETS["PROD_SECRET"]},
        "checkout_keys": ["user-key", "deploy-key", "deploy-key"],
        "schedules": {
            "nightly": {
                "attribution_actor": "current",
                "timetable": TIMETABLE,
                "parameters": {"branch": "main"},
            }
        },
        "webhooks": {"slack": {**HOOK, "verify_tls": False}},
    },
    {
        "open": {"env_vars": {"TOKEN": SECRETS["NPM_TOKEN"]}},
        "any-branch": {
            "env_vars": {"TOKEN": SECRETS["NPM_TOKEN"]},
            "restrictions": {"expressions": ['pipeline.git.branch =~ ".*"']},
        },
    },
)
CLEAN = world(
    {
        "settings": {"write_settings_requires_admin": True, "build_fork_prs": False},
        "env_vars": {"LOG_LEVEL": "debug"},
        "checkout_keys": ["deploy-key"],
        "schedules": {
            "nightly": {
                "attribution_actor": "system",
                "timetable": TIMETABLE,
                "parameters": {"branch": "main"},
            }
        },
        "webhooks": {"slack": {**HOOK, "signing_secret": SECRETS["WEBHOOK_SECRET"]}},
    },
    {
        "prod": {
            "env_vars": {"TOKEN": SECRETS["NPM_TOKEN"]},
            "restrictions": {"projects": ["gh/acme/api"]},
        }
    },
)
# Policy evaluation on (CircleCI's default is off, which config-policies-disabled finds).
CLEAN["organizations"]["gh/acme"]["config_policies"] = {"enabled": True}


def run_live(
    emulator_factory: Any, tmp_path: Path, seed: dict[str, Any], contexts: dict[str, Any]
) -> tuple[Any, Any, Cli]:
    server = emulator_factory(seed=seed, tokens=())
    path = write_manifest(tmp_path, manifest(projects={"gh/acme/api": {}}, contexts=contexts))
    cli = Cli(host=server.url)
    server.reset_requests()
    return cli("lint", "--live", "--format", "json", path), server, cli


def test_live_findings(emulator_factory: Any, tmp_path: Path) -> None:
    run, server, cli = run_live(emulator_factory, tmp_path, RISKY, {"any-branch": {}})
    assert run.exit_code == 2, run.stderr
    found = {(f["rule"], f["address"]) for f in run.json()["findings"]}
    assert found >= {
        ("context-unrestricted", "context[open]"),
        ("context-unrestricted", "context[any-branch]"),
        ("context-unmanaged", "context[open]"),
        ("fork-prs-receive-secrets", f"{API}.settings"),
        ("settings-not-admin-only", f"{API}.settings"),
        ("webhook-tls-unverified", f"{API}.webhook[slack]"),
        ("checkout-user-key", f"{API}.checkout_key[user-key]"),
        ("checkout-key-duplicate", f"{API}.checkout_key[deploy-key]"),
        ("long-lived-cloud-credentials", f"{API}.env_var[AWS_SECRET_ACCESS_KEY]"),
        ("schedule-user-attribution", f"{API}.schedule[nightly]"),
    }
    assert ("context-unmanaged", "context[any-branch]") not in found
    # The list shows every signing secret masked, set or not: live, unsigned is not knowable.
    assert ("webhook-unsigned", f"{API}.webhook[slack]") not in found
    assert all(f["location"] is None for f in run.json()["findings"])
    cli.assert_no_secrets()


def test_live_read_is_get_only_and_reads_each_collection_once(
    emulator_factory: Any, tmp_path: Path
) -> None:
    run, server, cli = run_live(emulator_factory, tmp_path, RISKY, {"any-branch": {}})
    assert run.exit_code == 2
    requests = server.requests()
    assert requests and {r["method"] for r in requests} == {"GET"}
    reads = [(r["path"], str(r.get("query"))) for r in requests]
    assert len(reads) == len(set(reads)), "a collection was read twice"


def test_a_clean_organization_lints_clean(emulator_factory: Any, tmp_path: Path) -> None:
    run, _, cli = run_live(emulator_factory, tmp_path, CLEAN, {"prod": {}})
    assert run.exit_code == 0, run.stdout
    assert run.json()["findings"] == []
    cli.assert_no_secrets()


def test_live_lint_reads_what_export_reads(emulator_factory: Any, tmp_path: Path) -> None:
    """The same kinds in the same read-everything mode: the same requests, no more."""
    server = emulator_factory(seed=RISKY, tokens=())
    path = write_manifest(tmp_path, manifest(projects={"gh/acme/api": {}}))
    cli = Cli(host=server.url)

    def requests_of(*args: Any) -> list[tuple[str, str]]:
        server.reset_requests()
        cli(*args)
        return sorted((r["method"], r["path"]) for r in server.requests())

    linted = requests_of("lint", "--live", path)
    exported = requests_of("export", "--org", "gh/acme", "--project", "gh/acme/api")
    assert linted == exported


def test_live_webhook_rules_on_objects_the_emulator_refuses_to_hold() -> None:
    """CircleCI today refuses http URLs and the emulator masks every signing secret, so
    these live shapes are built directly: an old http webhook, one reported unsigned."""
    from reconciler.core import Resource, State
    from reconciler.lint.registry import RULES, View

    hook = Resource(
        kind="webhook",
        address=f"{API}.webhook[old]",
        name="old",
        parent=API,
        fields={"url": "http://hooks.example.com", "events": [], "verify_tls": True},
        signal={"masked": ""},
    )
    live = State()
    live.add([hook])
    view = View(live, State(), live=True)
    for rule in ("webhook-not-https", "webhook-unsigned"):
        check = RULES[rule].check
        assert check is not None
        assert [f.address for f in check(view)] == [hook.address]


def test_live_rules_of_pipelines_and_policies(emulator_factory: Any, tmp_path: Path) -> None:
    """A project that builds through the GitHub App but keeps a legacy schedule, policy
    evaluation turned off, an unpinned URL orb prefix: found live (a trigger's attribution
    is not: CircleCI does not report it). The organization's OIDC claims quiet the static
    cloud key."""
    repo = {"full_name": "acme/api", "external_id": "10001"}
    seed = world(
        {
            "repository": repo,
            "pipeline_definitions": {
                "build": {
                    "config_source": {"repo": "acme/api", "file_path": ".circleci/config.yml"},
                    "checkout_source": {"repo": "acme/api"},
                    "triggers": {"push": {"provider": "github_app", "event_preset": "all-pushes"}},
                }
            },
            "schedules": {
                "nightly": {
                    "attribution_actor": "system",
                    "timetable": TIMETABLE,
                    "parameters": {"branch": "main"},
                }
            },
        },
        {},
    )
    project = seed["organizations"]["gh/acme"]["projects"]["gh/acme/api"]
    project["env_vars"] = {"AWS_SECRET_ACCESS_KEY": SECRETS["PROD_SECRET"]}
    seed["organizations"]["gh/acme"].update(
        config_policies={"enabled": False},
        oidc_claims={"audience": ["sts.amazonaws.com"]},  # OIDC in use: static keys judged so
        url_orb_allow_list={"orbs": {"prefix": "https://raw.githubusercontent.com/acme/orbs/"}},
    )
    server = emulator_factory(seed=seed, tokens=())
    path = write_manifest(tmp_path, manifest(projects={"gh/acme/api": {}}))
    run = Cli(host=server.url)("lint", "--live", "--format", "json", "--fail-on", "critical", path)
    assert run.exit_code == 0, run.stderr
    found = {(f["rule"], f["address"]) for f in run.json()["findings"]}
    assert ("github-app-legacy-schedule", f"{API}.schedule[nightly]") in found
    assert ("config-policies-disabled", "organization.config_policy_settings") in found
    assert ("url-orb-unpinned", "organization.url_orb_allow_list[orbs]") in found
    assert not any(rule == "trigger-user-attribution" for rule, _ in found)
    assert not any(rule == "long-lived-cloud-credentials" for rule, _ in found)
