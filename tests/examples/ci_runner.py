"""Runs the example CI files' jobs as their CI would, minus the machine: which jobs a pipeline
starts (filters, `when`, `if`), what environment each gets (contexts, secrets), and their
`run` steps in bash in one checkout directory, against the emulator and the GitHub fake.

Steps that install the tool (it is on PATH from the test's own environment) or need the `gh`
command (downloading a ledger artifact from GitHub) are skipped; everything else runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.examples.ci_expressions import evaluate

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"
CIRCLECI = CI / "config.yml"
ACTIONS = CI / "github-actions.yml"
DOGFOOD = CI / "circleci-reconciler.yaml"
_PARAM = re.compile(r"<<\s*pipeline\.parameters\.([\w-]+)\s*>>")
_GH_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SKIPPED = ("Install circleci-reconciler",)


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def base_env(tmp: Path) -> dict[str, str]:
    """A clean environment: nothing of the test process's own leaks into a job."""
    bindir = str(Path(sys.executable).parent)
    return {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8"}


@dataclass
class Job:
    name: str
    context: str | None = None
    env: dict[str, str] = field(default_factory=dict)


def circleci_jobs(config: Mapping[str, Any], values: Mapping[str, Any]) -> list[Job]:
    """The jobs a pipeline with these pipeline values starts, with their contexts, in order."""
    out = []
    for workflow in config["workflows"].values():
        if "when" in workflow and not evaluate(workflow["when"], values):
            continue
        for entry in workflow["jobs"]:
            name, opts = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
            if opts.get("filters") and not evaluate(opts["filters"], values):
                continue
            out.append(Job(name, opts.get("context")))
    return out


def circleci_steps(config: Mapping[str, Any], job: str) -> list[dict[str, Any]]:
    """The job's `run` steps, commands expanded and pipeline parameters filled in."""
    params = {k: str(v.get("default", "")) for k, v in config.get("parameters", {}).items()}
    out: list[dict[str, Any]] = []

    def expand(steps: list[Any]) -> None:
        for step in steps:
            key = step if isinstance(step, str) else next(iter(step))
            if key in config.get("commands", {}):
                expand(config["commands"][key]["steps"])
            elif key == "run":
                run = step["run"] if isinstance(step["run"], dict) else {"command": step["run"]}
                command = _PARAM.sub(lambda m: params[m.group(1)], run["command"])
                out.append({**run, "command": command})

    expand(config["jobs"][job]["steps"])
    return out


def run_circleci_job(
    config: Mapping[str, Any], job: Job, workdir: Path, env: Mapping[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run the steps as CircleCI does (bash -eo pipefail, $BASH_ENV sourced by every step);
    stop at the first failure unless a step says `when: always`."""
    bash_env = workdir / ".bash_env"
    bash_env.write_text("", encoding="utf-8")
    results: list[subprocess.CompletedProcess[str]] = []
    failed = False
    for step in circleci_steps(config, job.name):
        if step.get("name") in SKIPPED or (failed and step.get("when") != "always"):
            continue
        result = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", step["command"]],
            cwd=workdir,
            env={**env, "BASH_ENV": str(bash_env)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        results.append(result)
        failed = failed or result.returncode != 0
    return results


def actions_jobs(workflow: Mapping[str, Any], values: Mapping[str, Any]) -> list[str]:
    return [
        name
        for name, job in workflow["jobs"].items()
        if "if" not in job or evaluate(str(job["if"]), values)
    ]


def _gh(text: str, lookup: Mapping[str, str]) -> str:
    return _GH_EXPR.sub(lambda m: lookup.get(m.group(1), ""), text)


def actions_env(workflow: Mapping[str, Any], job: str, lookup: Mapping[str, str]) -> dict[str, str]:
    """The workflow's and the job's `env`, with `${{ secrets.X }}` and the like filled in from
    `lookup` (a secret the job may not have reads as empty, as on GitHub)."""
    merged = {**workflow.get("env", {}), **workflow["jobs"][job].get("env", {})}
    return {k: _gh(str(v), lookup) for k, v in merged.items()}


def run_actions_job(
    workflow: Mapping[str, Any],
    job: str,
    workdir: Path,
    env: Mapping[str, str],
    lookup: Mapping[str, str],
) -> list[subprocess.CompletedProcess[str]]:
    """Run the job's `run` steps as GitHub does (bash -e {0}, with $GITHUB_ENV's lines set
    for the steps after); `uses` steps and steps that need the `gh` command are skipped."""
    github_env = workdir.parent / f"github-env-{job}"
    github_env.write_text("", encoding="utf-8")
    job_env = {**env, **actions_env(workflow, job, lookup), "GITHUB_ENV": str(github_env)}
    results: list[subprocess.CompletedProcess[str]] = []
    for step in workflow["jobs"][job]["steps"]:
        if "run" not in step or step.get("name") in SKIPPED or "gh " in step["run"]:
            continue
        step_env = {k: _gh(str(v), lookup) for k, v in step.get("env", {}).items()}
        lines = github_env.read_text(encoding="utf-8").splitlines()
        exported = dict(line.split("=", 1) for line in lines if "=" in line)
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workdir,
            env={**job_env, **exported, **step_env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        results.append(result)
        if result.returncode != 0:
            break
    return results


def checkout(tmp: Path, manifests: Mapping[str, str]) -> Path:
    """A checked-out repository of manifests: manifests/ and the helper CircleCI's config
    expects in .circleci/."""
    work = tmp / "repo"
    (work / "manifests").mkdir(parents=True)
    (work / ".circleci").mkdir()
    shutil.copy(DOGFOOD, work / "manifests" / DOGFOOD.name)
    shutil.copy(CI / "ledger_context.py", work / ".circleci" / "ledger_context.py")
    for name, text in manifests.items():
        (work / "manifests" / name).write_text(text, encoding="utf-8")
    os.chmod(work, 0o755)
    return work
