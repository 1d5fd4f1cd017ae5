"""examples/ci/config.yml: a CircleCI 2.1 config whose every circleci-reconciler command line
is one the real CLI accepts, with the drift report stored as test results."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
from ruamel.yaml import YAML

from reconciler.cli import main
from reconciler.manifest import load_manifest
from tests.examples import ci_runner as ci
from tests.examples.ci_expressions import evaluate

CONFIG = Path(__file__).resolve().parents[2] / "examples" / "ci" / "config.yml"


def _config() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(CONFIG.read_text(encoding="utf-8"))
    return data


def _runs(job: dict[str, Any]) -> list[str]:
    return [s["run"]["command"] for s in job["steps"] if isinstance(s, dict) and "run" in s]


def _command_lines(config: dict[str, Any]) -> dict[str, list[list[str]]]:
    """job -> every circleci-reconciler invocation, as argv without the program name."""
    out: dict[str, list[list[str]]] = {}
    for name, job in config["jobs"].items():
        for script in _runs(job):
            for line in script.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] == ["circleci-reconciler"]:
                    cut = words.index(">") if ">" in words else len(words)
                    out.setdefault(name, []).append(words[1:cut])
    return out


def test_shape_of_the_config() -> None:
    config = _config()
    assert str(config["version"]) == "2.1"
    assert {"validate", "plan-pr", "plan", "apply", "drift"} <= set(config["jobs"])
    nightly = config["workflows"]["nightly-drift"]
    assert 'pipeline.schedule.name == "nightly-drift"' in nightly["when"]
    assert [next(iter(j)) for j in nightly["jobs"]] == ["drift", "lint-live"]
    deliver = [
        next(iter(j)) if isinstance(j, dict) else j for j in config["workflows"]["deliver"]["jobs"]
    ]
    assert deliver == ["validate", "plan", "approve", "apply"]


def test_the_drift_job_stores_its_junit_report() -> None:
    drift = _config()["jobs"]["drift"]
    (argv,) = _command_lines(_config())["drift"]
    assert argv[:4] == ["drift", "manifests/", "--format", "junit"]
    output = Path(argv[argv.index("--output") + 1])
    stored = [s["store_test_results"]["path"] for s in drift["steps"] if "store_test_results" in s]
    assert stored == [str(output.parent)]


@pytest.mark.parametrize("job", ["validate", "plan-pr", "plan", "apply", "drift"])
def test_every_command_line_parses_with_the_real_cli(
    job: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the paths the commands name, as in a checked-out repo
    (tmp_path / "manifests").mkdir()
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "plan.json").write_text("{}", encoding="utf-8")
    (tmp_path / "plan" / "plan.md").write_text("", encoding="utf-8")
    lines = _command_lines(_config())[job]
    assert lines
    for argv in lines:
        ctx = click.Context(main)
        command = main.get_command(ctx, argv[0])
        assert command is not None, argv
        command.make_context(argv[0], list(argv[1:]), parent=ctx)  # raises on a bad option


# --- structure: every name the config uses exists, and every expression parses ---------

BUILT_IN_STEPS = {
    "checkout",
    "run",
    "store_artifacts",
    "store_test_results",
    "persist_to_workspace",
    "attach_workspace",
    "save_cache",
    "restore_cache",
    "setup_remote_docker",
    "when",
    "unless",
    "add_ssh_keys",
}
SAMPLES = [
    {"pipeline": {"git": {"branch": b}, "trigger_source": s, "schedule": {"name": n}}}
    for b, s, n in [
        ("main", "webhook", ""),
        ("feature/x", "webhook", ""),
        ("pull/7", "webhook", ""),
        ("main", "scheduled_pipeline", "nightly-drift"),
    ]
]


def _entries(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(e, {}) if isinstance(e, str) else next(iter(e.items())) for e in workflow["jobs"]]


def test_every_job_command_and_executor_named_exists() -> None:
    config = _config()
    commands = config.get("commands", {})
    for name, job in config["jobs"].items():
        assert job["executor"] in config["executors"], name
        for step in job["steps"]:
            key = step if isinstance(step, str) else next(iter(step))
            assert key in BUILT_IN_STEPS or key in commands, (name, key)
    for name, command in commands.items():
        for step in command["steps"]:
            key = step if isinstance(step, str) else next(iter(step))
            assert key in BUILT_IN_STEPS or key in commands, (name, key)
    text = CONFIG.read_text(encoding="utf-8")
    for param in re.findall(r"<<\s*pipeline\.parameters\.([\w-]+)\s*>>", text):
        assert param in config["parameters"], param


def test_workflows_name_existing_jobs_requirements_and_contexts() -> None:
    config = _config()
    dogfood = load_manifest([ci.DOGFOOD])
    contexts = set(dogfood.contexts)
    for wf_name, workflow in config["workflows"].items():
        names = [n for n, _ in _entries(workflow)]
        for name, opts in _entries(workflow):
            assert name in config["jobs"] or opts.get("type") == "approval", (wf_name, name)
            for required in opts.get("requires", []):
                assert required in names[: names.index(name)], (wf_name, name, required)
            if "context" in opts:
                assert opts["context"] in contexts, (wf_name, name, opts["context"])


def test_every_filter_and_when_clause_parses() -> None:
    config = _config()
    for workflow in config["workflows"].values():
        clauses = [workflow["when"]] + [
            o["filters"] for _, o in _entries(workflow) if "filters" in o
        ]
        for clause in clauses:
            assert isinstance(clause, str), clause
            for values in SAMPLES:
                evaluate(clause, values)  # raises on anything outside the grammar
    with pytest.raises(SyntaxError):
        evaluate('pipeline.git.branch = "main"', SAMPLES[0])


@pytest.mark.parametrize(
    ("branch", "source", "expected"),
    [
        ("pull/7", "webhook", [("validate", None)]),
        ("feature/x", "webhook", [("validate", None), ("plan-pr", "reconciler-plan")]),
        (
            "main",
            "webhook",
            [
                ("validate", None),
                ("plan", "reconciler-apply"),
                ("approve", None),
                ("apply", "reconciler-apply"),
            ],
        ),
        (
            "main",
            "scheduled_pipeline",
            [("drift", "reconciler-apply"), ("lint-live", "reconciler-plan")],
        ),
    ],
)
def test_which_jobs_run_and_with_which_context(
    branch: str, source: str, expected: list[tuple[str, str | None]]
) -> None:
    values = {
        "pipeline": {
            "git": {"branch": branch},
            "trigger_source": source,
            "schedule": {"name": "nightly-drift"},
        }
    }
    assert [(j.name, j.context) for j in ci.circleci_jobs(_config(), values)] == expected


def test_apply_and_drift_are_serialised_and_apply_runs_only_on_main() -> None:
    deliver = dict(_entries(_config()["workflows"]["deliver"]))
    nightly = dict(_entries(_config()["workflows"]["nightly-drift"]))
    assert deliver["apply"]["serial-group"] == nightly["drift"]["serial-group"]
    assert deliver["apply"]["filters"] == 'pipeline.git.branch == "main"'


def test_the_contexts_restrictions_admit_only_their_branches() -> None:
    """The dogfood manifest's expression restrictions: plan's refuses forks, apply's is main."""
    contexts = load_manifest([ci.DOGFOOD]).contexts

    def admits(name: str, branch: str) -> bool:
        restrictions = contexts[name].restrictions
        assert restrictions is not None and restrictions.projects
        values = {"pipeline": {"git": {"branch": branch}}}
        return all(evaluate(e, values) for e in restrictions.expressions)

    assert admits("reconciler-plan", "feature/x") and not admits("reconciler-plan", "pull/7")
    assert admits("reconciler-apply", "main")
    assert not any(admits("reconciler-apply", b) for b in ("feature/x", "pull/7", "main2"))
    assert contexts["reconciler-apply"].protect


def test_the_nightly_schedule_is_declared_in_the_manifest() -> None:
    (project,) = load_manifest([ci.DOGFOOD]).projects.values()
    schedule = project.schedules["nightly-drift"]
    assert schedule.parameters == {"branch": "main"}
    nightly = _config()["workflows"]["nightly-drift"]["when"]
    values = {
        "pipeline": {
            "git": {"branch": "main"},
            "trigger_source": "scheduled_pipeline",
            "schedule": {"name": "nightly-drift"},
        }
    }
    assert evaluate(nightly, values)


# --- GitHub Actions -----------------------------------------------------------------------


def test_the_actions_workflow_parses() -> None:
    workflow = ci.load(ci.ACTIONS)
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert set(jobs) == {"validate", "plan", "apply", "drift"}
    for name, job in jobs.items():
        needs = job.get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            assert need in jobs, (name, need)
        assert "permissions" in job, name  # each job asks for what it needs
        if "if" in job:
            evaluate(job["if"], {"github": {}})
        assert all("run" in s or "uses" in s for s in job["steps"]), name
    for name in ("apply", "drift"):
        assert jobs[name]["environment"] == "circleci-apply"
        assert jobs[name]["concurrency"] == {
            "group": "circleci-reconciler",
            "cancel-in-progress": False,
        }
    assert "environment" not in jobs["plan"] and "environment" not in jobs["validate"]
    assert jobs["plan"]["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_only_the_jobs_that_need_a_secret_name_one() -> None:
    text = ci.ACTIONS.read_text(encoding="utf-8")
    jobs = ci.load(ci.ACTIONS)["jobs"]
    assert "secrets." not in json.dumps(jobs["validate"])
    assert "secrets.CIRCLECI_TOKEN" not in json.dumps(jobs["plan"])
    assert "toJSON(secrets)" not in text
    fork = {
        "github": {
            "event_name": "pull_request",
            "repository": "a/b",
            "event": {"pull_request": {"head": {"repo": {"full_name": "m/b"}}}},
        }
    }
    assert ci.actions_jobs(ci.load(ci.ACTIONS), fork) == ["validate"]
