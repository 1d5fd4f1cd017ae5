"""Benchmark pieces: a world of P projects and C contexts, the emulator in its own process
(https, a generated CA), the CLI in its own process measured with wait4, and a plain
sequential script replaying the same reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

TOKEN = "bench-token"
VARS, SCHEDULES, HOOKS = 10, 2, 2
# Above this many projects only two env vars a project come from the environment (the rest
# are literal): the environment of a process is limited to a few MB on Linux.
ALL_SECRETS_UP_TO = 1000


def world(projects: int, contexts: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """A seed that already holds everything, the manifest that matches it, and its secrets."""
    env: dict[str, str] = {}
    seed_projects: dict[str, Any] = {}
    manifest_projects: dict[str, Any] = {}
    from_env = VARS if projects <= ALL_SECRETS_UP_TO else 2
    for p in range(projects):
        slug = f"gh/acme/p{p:04d}"
        values = {f"VAR_{i}": f"v-{p}-{i}-value" for i in range(VARS)}
        declared: dict[str, Any] = {}
        for i, (name, value) in enumerate(values.items()):
            if i < from_env:
                env[f"P{p}_VAR_{i}"] = value
                declared[name] = {"env": f"P{p}_VAR_{i}"}
            else:
                declared[name] = value
        schedules = {
            f"s{i}": {
                "description": f"schedule {i}",
                "attribution_actor": "system",
                "timetable": {"per_hour": 1, "hours_of_day": [i + 1], "days_of_week": ["MON"]},
                "parameters": {"branch": "main"},
            }
            for i in range(SCHEDULES)
        }
        hooks = {
            f"h{i}": {
                "url": f"https://hooks.example.com/{p}/{i}",
                "events": ["workflow-completed"],
                "verify_tls": True,
            }
            for i in range(HOOKS)
        }
        env.update({f"P{p}_HOOK_{i}": f"hook-{p}-{i}" for i in range(HOOKS)})
        seed_projects[slug] = {
            "env_vars": values,
            "schedules": schedules,
            "webhooks": {
                k: {**h, "signing_secret": f"hook-{p}-{i}"}
                for i, (k, h) in enumerate(hooks.items())
            },
        }
        manifest_projects[slug] = {
            "env_vars": declared,
            "schedules": schedules,
            "webhooks": {
                k: {**h, "signing_secret": {"env": f"P{p}_HOOK_{i}"}}
                for i, (k, h) in enumerate(hooks.items())
            },
        }
    seed_contexts: dict[str, Any] = {}
    manifest_contexts: dict[str, Any] = {}
    for c in range(contexts):
        values = {f"C_{i}": f"c-{c}-{i}-value" for i in range(VARS)}
        env.update({f"CTX{c}_{i}": v for i, v in enumerate(values.values())})
        restrictions = {
            "projects": [f"gh/acme/p{c % projects:04d}"],
            "expressions": [f'pipeline.git.branch == "b{c}"'],
        }
        seed_contexts[f"ctx-{c:02d}"] = {"env_vars": values, "restrictions": restrictions}
        manifest_contexts[f"ctx-{c:02d}"] = {
            "env_vars": {f"C_{i}": {"env": f"CTX{c}_{i}"} for i in range(VARS)},
            "restrictions": restrictions,
        }
    seed = {
        "users": [{"login": "bench", "token": TOKEN, "organizations": ["gh/acme"]}],
        "organizations": {"gh/acme": {"projects": seed_projects, "contexts": seed_contexts}},
    }
    manifest = {
        "version": 1,
        "organization": "gh/acme",
        "projects": manifest_projects,
        "contexts": manifest_contexts,
    }
    return seed, manifest, env


def empty_seed(seed: dict[str, Any]) -> dict[str, Any]:
    """The same projects with nothing in them and no contexts: apply writes everything."""
    projects = {slug: {} for slug in seed["organizations"]["gh/acme"]["projects"]}
    return {"users": seed["users"], "organizations": {"gh/acme": {"projects": projects}}}


def write_manifest(directory: Path, manifest: dict[str, Any], per_file: int = 500) -> Path:
    """A directory of manifest files of `per_file` projects each (one file may hold 4 MiB);
    contexts go in the first. JSON is YAML, and far quicker to write."""
    path = directory / "manifest"
    path.mkdir()
    slugs = sorted(manifest["projects"])
    for n, start in enumerate(range(0, max(1, len(slugs)), per_file)):
        part = {k: v for k, v in manifest.items() if k not in ("projects", "contexts")}
        part["projects"] = {s: manifest["projects"][s] for s in slugs[start : start + per_file]}
        if n == 0:
            part["contexts"] = manifest["contexts"]
        (path / f"part-{n:03d}.yaml").write_text(json.dumps(part, indent=1))
    return path


class Emulator:
    """The emulator in its own process, over https, as CircleCI would be: the client's
    threads and the server's do not share one interpreter lock."""

    def __init__(self, seed: dict[str, Any], tmp: Path, *, latency_ms: int, rate: float) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        seed_file = tmp / "seed.json"
        seed_file.write_text(json.dumps(seed))
        cmd = [sys.executable, "-m", "reconciler.cli", "emulator", "--seed", str(seed_file)]
        cmd += ["--latency-ms", str(latency_ms), "--rate-limit", str(rate), "--page-size", "20"]
        cmd += ["--tls", "--tls-dir", str(tmp / "tls")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.ca = self.proc.stdout.readline().strip()
        self.admin = requests.Session()
        self.admin.trust_env = False
        self.admin.verify = self.ca

    def log(self) -> list[dict[str, Any]]:
        return list(self.admin.get(self.url + "/_emulator/requests", timeout=60).json())

    def reset(self) -> None:
        self.admin.post(self.url + "/_emulator/reset", timeout=60).raise_for_status()

    def stop(self) -> None:
        self.admin.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


# The CLI, reporting its peak resident memory (VmHWM of its own address space) on exit.
# wait4's ru_maxrss cannot be used: Linux carries the forking parent's peak across exec.
_CLI = """
import atexit, os, runpy, sys
def report():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(os.environ["BENCH_PEAK_FILE"], "w").write(line.split()[1])
atexit.register(report)
sys.argv = ["circleci-reconciler", *sys.argv[1:]]
runpy.run_module("reconciler.cli", run_name="__main__", alter_sys=True)
"""


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    wall: float
    cpu: float  # user + system seconds of the CLI process alone
    max_rss_mib: float


def run_cli(args: list[str], env: dict[str, str], tmp: Path) -> Run:
    """The CLI in its own process, secrets in its environment as in CI: wait4 gives its own
    CPU time (not the emulator's), /proc its peak memory."""
    out, err, peak = tmp / "stdout.txt", tmp / "stderr.txt", tmp / "peak.txt"
    full = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLE")}
    full.update(env, CIRCLECI_TOKEN=TOKEN, CI="true", BENCH_PEAK_FILE=str(peak))
    with out.open("w") as fh, err.open("w") as eh:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _CLI, *args], stdout=fh, stderr=eh, env=full)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        exit_code=proc.returncode,
        stdout=out.read_text(),
        stderr=err.read_text(),
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mib=int(peak.read_text()) / 1024,  # KiB
    )


def replay_sequentially(emulator: Emulator, log: list[dict[str, Any]]) -> float:
    """A plain sequential script reading the same collections: every GET of `log`, one
    after the other on one keep-alive session. Returns its wall time."""
    session = requests.Session()
    session.trust_env = False
    session.verify = emulator.ca
    session.headers["Circle-Token"] = TOKEN
    start = time.perf_counter()
    for entry in log:
        if entry["method"] == "GET":
            query = f"?{entry['query']}" if entry["query"] else ""
            answer = session.get(emulator.url + entry["path"] + query, timeout=60)
            assert answer.status_code == entry["status"]  # the same reads, the same answers
    wall = time.perf_counter() - start
    session.close()
    return wall
