"""The example CI files' jobs, run as their CI would start them (tests/examples/ci_runner.py),
against the emulator and the GitHub fake over real HTTP: a pull request's plan posts one
comment and the next push edits it; a forked pull request's jobs get no context and no
secret, and still validate; main applies, keeps the ledger in a context variable, and the
nightly drift finds nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.examples import ci_runner as ci
from tests.support.emulator_fixture import MakeEmulator, RunningEmulator
from tests.support.github_fake import FakeGitHub

PLAN_TOKEN, APPLY_TOKEN = "read-token-for-plans", "admin-token-for-apply"
SECRETS = {"NPM_TOKEN": "npm-value-8d1f", "CIRCLECI_RECONCILER_LEDGER_KEY": "ledger-key-5a7c9e"}
REPO, PR = "acme/circleci-settings", 5
APP = """# yaml-language-server: $schema=../schemas/manifest.schema.json
version: 1
organization: gh/acme
projects:
  gh/acme/website:
    env_vars:
      LOG_LEVEL: info
      NPM_TOKEN: {env: NPM_TOKEN}
"""
SEED = {
    "organizations": {
        "gh/acme": {
            "projects": {"gh/acme/circleci-settings": {}, "gh/acme/website": {}},
        }
    }
}


@pytest.fixture
def world(emulator_factory: MakeEmulator) -> RunningEmulator:
    return emulator_factory(seed=SEED, tokens=(APPLY_TOKEN, PLAN_TOKEN), page_size=100)


def _no_leak(results: list[Any]) -> None:
    for r in results:
        for secret in (*SECRETS.values(), PLAN_TOKEN, APPLY_TOKEN, FakeGitHub.token):
            assert secret not in r.stdout + r.stderr


def _ok(results: list[Any]) -> None:
    _no_leak(results)
    for r in results:
        assert r.returncode == 0, r.stdout + r.stderr


# --- CircleCI ---------------------------------------------------------------------------


def _contexts(world: RunningEmulator, gh: FakeGitHub) -> dict[str, dict[str, str]]:
    """What each context of circleci-reconciler.yaml holds, as its comments list."""
    return {
        "reconciler-plan": {
            "CIRCLECI_HOST": world.url,
            "CIRCLECI_TOKEN": PLAN_TOKEN,
            "GITHUB_TOKEN": gh.token,
            "GITHUB_API_URL": gh.url,  # GitHub Enterprise only; here, the fake
        },
        "reconciler-apply": {"CIRCLECI_HOST": world.url, "CIRCLECI_TOKEN": APPLY_TOKEN, **SECRETS},
    }


def _ledger_variable(world: RunningEmulator) -> dict[str, str]:
    """RECONCILER_LEDGER as CircleCI would inject it from reconciler-apply, once written."""
    for ctx in world.state()["contexts"].values():
        held = (
            ctx["env_vars"].get("RECONCILER_LEDGER") if ctx["name"] == "reconciler-apply" else None
        )
        if held:
            return {"RECONCILER_LEDGER": held["value"]}
    return {}


def _circleci_pipeline(
    world: RunningEmulator,
    gh: FakeGitHub,
    work: Path,
    tmp: Path,
    values: dict[str, Any],
    extra: dict[str, str],
) -> dict[str, list[Any]]:
    config = ci.load(ci.CIRCLECI)
    contexts = _contexts(world, gh)
    out = {}
    for job in ci.circleci_jobs(config, values):
        if job.name not in config["jobs"]:  # the approval step
            continue
        env = {**ci.base_env(tmp), "CIRCLECI": "true", "CI": "true", **extra}
        if job.context:
            env.update(contexts[job.context])
            if job.context == "reconciler-apply":
                env.update(_ledger_variable(world))
        job.env = env
        out[job.name] = ci.run_circleci_job(config, job, work, env)
    return out


def _values(branch: str, source: str = "webhook", schedule: str = "") -> dict[str, Any]:
    return {
        "pipeline": {
            "git": {"branch": branch},
            "trigger_source": source,
            "schedule": {"name": schedule},
        }
    }


def test_circleci_pull_request_posts_one_comment_and_edits_it(
    world: RunningEmulator, github_fake: FakeGitHub, tmp_path: Path
) -> None:
    work = ci.checkout(tmp_path, {"app.yaml": APP})
    circle = {
        "CIRCLE_PROJECT_USERNAME": "acme",
        "CIRCLE_PROJECT_REPONAME": "circleci-settings",
        "CIRCLE_PULL_REQUEST": f"https://github.com/{REPO}/pull/{PR}",
        "CIRCLE_WORKFLOW_JOB_ID": "3df8fe81-1066-4a7b-9843-bad46ff42b65",
        "CIRCLE_NODE_INDEX": "0",
    }
    for push in (1, 2):
        runs = _circleci_pipeline(world, github_fake, work, tmp_path, _values("feature/x"), circle)
        assert list(runs) == ["validate", "plan-pr"]
        _ok([r for rs in runs.values() for r in rs])
        (comment,) = github_fake.on(REPO, PR)
        assert "context&#91;reconciler-apply]" in comment["body"]
        verb = "Created" if push == 1 else "Updated"
        assert verb in runs["plan-pr"][-1].stdout
    # The plan read no value (NPM_TOKEN is in no environment of this job) and wrote nothing.
    assert all(r["method"] == "GET" for r in world.requests())


def test_circleci_fork_pull_request_reads_no_context(
    world: RunningEmulator, github_fake: FakeGitHub, tmp_path: Path
) -> None:
    config = ci.load(ci.CIRCLECI)
    jobs = ci.circleci_jobs(config, _values("pull/7"))
    assert [(j.name, j.context) for j in jobs] == [("validate", None)]
    work = ci.checkout(tmp_path, {"app.yaml": APP})
    fork = {"CIRCLE_PR_NUMBER": "7", "CIRCLE_PULL_REQUEST": f"https://github.com/{REPO}/pull/7"}
    runs = _circleci_pipeline(world, github_fake, work, tmp_path, _values("pull/7"), fork)
    _ok(runs["validate"])
    secrets = {k for ctx in _contexts(world, github_fake).values() for k in ctx}
    env = jobs[0].env or {**ci.base_env(tmp_path), **fork}
    assert not secrets & set(env)
    assert world.requests() == [] and github_fake.log == []


def test_circleci_main_applies_keeps_the_ledger_and_drift_finds_nothing(
    world: RunningEmulator, github_fake: FakeGitHub, tmp_path: Path
) -> None:
    work = ci.checkout(tmp_path, {"app.yaml": APP})
    runs = _circleci_pipeline(world, github_fake, work, tmp_path, _values("main"), {})
    assert list(runs) == ["validate", "plan", "apply"]
    _ok([r for rs in runs.values() for r in rs])
    state = world.state()
    names = {c["name"] for c in state["contexts"].values()}
    assert {"reconciler-plan", "reconciler-apply"} <= names
    ledger = _ledger_variable(world)
    assert ledger, "apply saved the ledger to the context"
    # The next run restores it from the context; the nightly drift finds CircleCI in sync.
    shutil.rmtree(work / ".reconciler")
    nightly = _values("main", "scheduled_pipeline", "nightly-drift")
    runs = _circleci_pipeline(world, github_fake, work, tmp_path, nightly, {})
    assert list(runs) == ["drift", "lint-live"]
    _ok(runs["drift"])
    assert (work / ".reconciler" / "ledger.json").exists()
    report = (work / "test-results" / "drift.xml").read_text(encoding="utf-8")
    assert 'failures="0"' in report
    # The live lint left its findings for the Tests tab.
    _ok(runs["lint-live"])
    assert (work / "test-results" / "lint-live.xml").exists()


# --- GitHub Actions -----------------------------------------------------------------------


def _event(tmp: Path, head_repo: str) -> Path:
    event = tmp / "event.json"
    payload = {"pull_request": {"number": PR, "head": {"repo": {"full_name": head_repo}}}}
    event.write_text(json.dumps(payload), encoding="utf-8")
    return event


def _actions(
    world: RunningEmulator, gh: FakeGitHub, tmp: Path, work: Path, event: str, head_repo: str
) -> dict[str, list[Any]]:
    workflow = ci.load(ci.ACTIONS)
    values = {
        "github": {
            "event_name": event,
            "repository": REPO,
            "ref": "refs/heads/main" if event == "push" else f"refs/pull/{PR}/merge",
            "event": {"pull_request": {"head": {"repo": {"full_name": head_repo}}}},
        }
    }
    fork = event == "pull_request" and head_repo != REPO
    secrets = {} if fork else {"CIRCLECI_READ_TOKEN": PLAN_TOKEN, "CIRCLECI_TOKEN": APPLY_TOKEN}
    if not fork:
        secrets.update(SECRETS)
    lookup = {f"secrets.{k}": v for k, v in secrets.items()}
    lookup["github.token"] = gh.token
    lookup["steps.artifact.outputs.artifact-url"] = "https://github.example/artifacts/1"
    summary = tmp / "summary.md"
    env = {
        **ci.base_env(tmp),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_PATH": str(_event(tmp, head_repo)),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_API_URL": gh.url,
        "CIRCLECI_HOST": world.url,
    }
    out = {}
    for job in ci.actions_jobs(workflow, values):
        job_env = ci.actions_env(workflow, job, lookup)
        if fork:
            assert not any(v for k, v in job_env.items() if k in secrets or "TOKEN" in k), job
        out[job] = ci.run_actions_job(workflow, job, work, env, lookup)
    return out


def test_actions_pull_request_posts_one_comment_and_edits_it(
    world: RunningEmulator, github_fake: FakeGitHub, tmp_path: Path
) -> None:
    work = ci.checkout(tmp_path, {"app.yaml": APP})
    for _push in (1, 2):
        runs = _actions(world, github_fake, tmp_path, work, "pull_request", REPO)
        assert list(runs) == ["validate", "plan"]
        _ok([r for rs in runs.values() for r in rs])
        assert len(github_fake.on(REPO, PR)) == 1
    assert "Updated" in runs["plan"][-1].stdout
    assert all(r["method"] == "GET" for r in world.requests())


def test_actions_fork_pull_request_gets_validate_only_and_no_secret(
    world: RunningEmulator, github_fake: FakeGitHub, tmp_path: Path
) -> None:
    work = ci.checkout(tmp_path, {"app.yaml": APP})
    runs = _actions(world, github_fake, tmp_path, work, "pull_request", "mallory/circleci-settings")
    assert list(runs) == ["validate"]
    _ok(runs["validate"])
    assert world.requests() == [] and github_fake.log == []


def test_actions_main_applies_then_drift_finds_nothing(
    world: RunningEmulator, github_fake: FakeGitHub, tmp_path: Path
) -> None:
    work = ci.checkout(tmp_path, {"app.yaml": APP})
    runs = _actions(world, github_fake, tmp_path, work, "push", REPO)
    assert list(runs) == ["validate", "apply"]
    _ok([r for rs in runs.values() for r in rs])
    assert (work / ".reconciler" / "ledger.json").exists()  # what the artifact step keeps
    runs = _actions(world, github_fake, tmp_path, work, "schedule", REPO)
    assert list(runs) == ["validate", "drift"]
    _ok(runs["drift"])
