"""API economy, pagination, ids by name, and idempotence against a world that already matches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import PLATFORM_ID, TOKEN, Cli, write_manifest


def big_world(projects: int, contexts: int, per: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A seed and a manifest that already match it, with `per` objects in each collection."""
    seed_projects: dict[str, Any] = {}
    manifest_projects: dict[str, Any] = {}
    for p in range(projects):
        slug = f"gh/acme/p{p}"
        env = {f"VAR_{i}": f"value-{p}-{i}" for i in range(per)}
        schedules = {
            f"s{i}": {
                "description": f"schedule {i}",
                "attribution_actor": "system",
                "timetable": {"per_hour": 2, "hours_of_day": [5, 1], "days_of_month": [15, 1]},
                "parameters": {"branch": "main", "deploy": False, "n": 3},
            }
            for i in range(2)
        }
        hooks = {
            f"h{i}": {
                "url": f"https://hooks.example.com/{p}/{i}",
                "events": ["job-completed", "workflow-completed"],
                "verify_tls": bool(i),
                "signing_secret": f"hook-{p}-{i}",
            }
            for i in range(2)
        }
        seed_projects[slug] = {
            "settings": {"build_prs_only": True},
            "env_vars": env,
            "checkout_keys": ["deploy-key"],
            "schedules": schedules,
            "webhooks": hooks,
        }
        manifest_projects[slug] = {
            "settings": {"build_prs_only": True, "disable_ssh": False},
            "env_vars": {k: {"env": f"E_{p}_{k}"} for k in env},
            "checkout_keys": ["deploy-key"],
            "schedules": schedules,
            "webhooks": {
                k: {**v, "signing_secret": {"env": f"H_{p}_{k}"}} for k, v in hooks.items()
            },
        }
    seed_contexts: dict[str, Any] = {}
    manifest_contexts: dict[str, Any] = {}
    for c in range(contexts):
        env = {f"C_{i}": f"ctx-{c}-{i}" for i in range(per)}
        restrictions = {
            "projects": ["gh/acme/p0", "gh/acme/outside"],
            "expressions": [f'pipeline.git.branch == "b{c}"'],
            "groups": [PLATFORM_ID],
        }
        seed_contexts[f"ctx-{c}"] = {"env_vars": env, "restrictions": restrictions}
        manifest_contexts[f"ctx-{c}"] = {
            "env_vars": {k: {"env": f"CE_{c}_{k}"} for k in env},
            "restrictions": restrictions,
        }
    seed = {
        "users": [{"login": "alice", "token": TOKEN, "organizations": ["gh/acme"]}],
        "organizations": {
            "gh/acme": {
                "groups": {"platform": PLATFORM_ID},
                "projects": {**seed_projects, "gh/acme/outside": {}},
                "contexts": seed_contexts,
            }
        },
    }
    manifest = {
        "version": 1,
        "organization": "gh/acme",
        "projects": manifest_projects,
        "contexts": manifest_contexts,
    }
    return seed, manifest


def secrets_env(projects: int, contexts: int, per: int) -> dict[str, str]:
    env = {}
    for p in range(projects):
        env.update({f"E_{p}_VAR_{i}": f"value-{p}-{i}" for i in range(per)})
        env.update({f"H_{p}_h{i}": f"hook-{p}-{i}" for i in range(2)})
    for c in range(contexts):
        env.update({f"CE_{c}_C_{i}": f"ctx-{c}-{i}" for i in range(per)})
    return env


def test_matching_world_plans_no_change_for_every_kind(
    emulator_factory: Any, tmp_path: Path
) -> None:
    seed, manifest = big_world(projects=3, contexts=2, per=5)
    world = emulator_factory(seed=seed, tokens=(), page_size=2)
    cli = Cli(host=world.url, env=secrets_env(3, 2, 5))
    run = cli("plan", write_manifest(tmp_path, manifest), "--detailed-exitcode")
    assert run.exit_code == 0, run.stdout
    assert "No changes" in run.stdout


def test_plan_request_budget_pagination_and_ids(emulator_factory: Any, tmp_path: Path) -> None:
    projects, contexts, per = 4, 3, 7
    seed, manifest = big_world(projects, contexts, per)
    page_size = 3
    world = emulator_factory(seed=seed, tokens=(), page_size=page_size)
    cli = Cli(host=world.url, env=secrets_env(projects, contexts, per))
    path = write_manifest(tmp_path, manifest)
    world.reset_requests()
    run = cli("plan", path, "--detailed-exitcode")
    assert run.exit_code == 0, run.stdout
    served = world.requests()
    # Every list was read to its end: extra pages cost one request each.
    pages = -(-per // page_size) - 1
    extra_pages = projects * pages + contexts * pages  # env var lists of projects and contexts
    extra_pages += -(-(contexts + 0) // page_size) - 1  # the context list
    restriction_only = 1  # gh/acme/outside is named only in restrictions
    budget = 6 * projects + 3 * contexts + 5 + extra_pages + restriction_only
    assert len(served) <= budget, f"{len(served)} requests > budget {budget}"
    # Never one request per env var.
    gets = [r["path"] for r in served]
    assert not any("/envvar/" in p or "/environment-variable/" in p for p in gets)
    assert any("page-token" in r.get("query", "") for r in served)
