"""Plan and apply wall time against the emulator at 50 ms latency (run with `make bench`).

Figures are printed and written to bench-results/plan_apply.json; the targets are the issue's:
plan within 1.5x of requests x latency / concurrency, apply within 1.5x of
writes x latency / concurrency + dependency depth x latency.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler.apply import apply_plan
from reconciler.client import CircleCI, ClientConfig
from reconciler.engine import make_plan
from reconciler.manifest import SecretResolver, load_manifest

LATENCY_MS = 50
PROJECTS, CONTEXTS, VARS = 200, 50, 10
TOKEN = "bench-token"
OUT = Path("bench-results")


def world() -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """A seed that already holds everything, the manifest that matches it, and its secrets."""
    env: dict[str, str] = {}
    seed_projects: dict[str, Any] = {}
    projects: dict[str, Any] = {}
    for p in range(PROJECTS):
        slug = f"gh/acme/p{p:03d}"
        values = {f"VAR_{i}": f"v-{p}-{i}-value" for i in range(VARS)}
        env.update({f"P{p}_VAR_{i}": v for i, v in enumerate(values.values())})
        env.update({f"P{p}_HOOK_{i}": f"hook-{p}-{i}" for i in range(2)})
        schedules = {
            f"s{i}": {
                "description": f"schedule {i}",
                "attribution_actor": "system",
                "timetable": {"per_hour": 1, "hours_of_day": [i + 1], "days_of_week": ["MON"]},
                "parameters": {"branch": "main"},
            }
            for i in range(2)
        }
        hooks = {
            f"h{i}": {
                "url": f"https://hooks.example.com/{p}/{i}",
                "events": ["workflow-completed"],
                "verify_tls": True,
            }
            for i in range(2)
        }
        seed_projects[slug] = {
            "env_vars": values,
            "schedules": schedules,
            "webhooks": {
                k: {**h, "signing_secret": f"hook-{p}-{i}"}
                for i, (k, h) in enumerate(hooks.items())
            },
        }
        projects[slug] = {
            "env_vars": {f"VAR_{i}": {"env": f"P{p}_VAR_{i}"} for i in range(VARS)},
            "schedules": schedules,
            "webhooks": {
                k: {**h, "signing_secret": {"env": f"P{p}_HOOK_{i}"}}
                for i, (k, h) in enumerate(hooks.items())
            },
        }
    seed_contexts: dict[str, Any] = {}
    contexts: dict[str, Any] = {}
    for c in range(CONTEXTS):
        values = {f"C_{i}": f"c-{c}-{i}-value" for i in range(VARS)}
        env.update({f"CTX{c}_{i}": v for i, v in enumerate(values.values())})
        restrictions = {
            "projects": [f"gh/acme/p{c:03d}"],
            "expressions": [f'pipeline.git.branch == "b{c}"'],
        }
        seed_contexts[f"ctx-{c:02d}"] = {"env_vars": values, "restrictions": restrictions}
        contexts[f"ctx-{c:02d}"] = {
            "env_vars": {f"C_{i}": {"env": f"CTX{c}_{i}"} for i in range(VARS)},
            "restrictions": restrictions,
        }
    seed = {
        "users": [{"login": "bench", "token": TOKEN, "organizations": ["gh/acme"]}],
        "organizations": {"gh/acme": {"projects": seed_projects, "contexts": seed_contexts}},
    }
    manifest = {"version": 1, "organization": "gh/acme", "projects": projects, "contexts": contexts}
    return seed, manifest, env


def empty_seed(seed: dict[str, Any]) -> dict[str, Any]:
    projects = {slug: {} for slug in seed["organizations"]["gh/acme"]["projects"]}
    return {"users": seed["users"], "organizations": {"gh/acme": {"projects": projects}}}


def write(tmp: Path, manifest: dict[str, Any]) -> Any:
    buf = io.StringIO()
    YAML().dump(manifest, buf)
    path = tmp / "manifest.yaml"
    path.write_text(buf.getvalue())
    return load_manifest([path])


class Emulator:
    """The emulator in its own process, as CircleCI would be: the client's threads and the
    server's do not share one interpreter lock."""

    def __init__(self, seed: dict[str, Any], tmp: Path) -> None:
        seed_file = tmp / "seed.json"
        seed_file.write_text(json.dumps(seed))
        cmd = [
            sys.executable,
            "-m",
            "reconciler.cli",
            "emulator",
            "--seed",
            str(seed_file),
            "--latency-ms",
            str(LATENCY_MS),
            "--page-size",
            "20",
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def served(url: str) -> list[dict[str, Any]]:
    import requests

    return list(requests.get(url + "/_emulator/requests", timeout=30).json())


def record(name: str, figures: dict[str, Any]) -> None:
    OUT.mkdir(exist_ok=True)
    path = OUT / "plan_apply.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = figures
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"\n{name}: " + json.dumps(figures))


@pytest.mark.bench
def test_plan_wall_time(tmp_path: Path) -> None:
    seed, manifest_data, env = world()
    manifest = write(tmp_path, manifest_data)
    server = Emulator(seed, tmp_path)
    url = server.url
    figures = {}
    try:
        for concurrency in (1, 8, 16):
            api = CircleCI(ClientConfig(host=url, token=TOKEN, concurrency=concurrency))
            before = len(served(url))
            start = time.perf_counter()
            result = make_plan(manifest, api, resolver=SecretResolver(env))
            wall = time.perf_counter() - start
            requests = len(served(url)) - before
            ideal = requests * LATENCY_MS / 1000 / concurrency
            figures[f"concurrency_{concurrency}"] = {
                "requests": requests,
                "wall_s": round(wall, 2),
                "ideal_s": round(ideal, 2),
                "ratio": round(wall / ideal, 2),
                "changes": len(result.plan.changes),
            }
            assert result.plan.empty
    finally:
        server.stop()
    record(
        "plan", {"latency_ms": LATENCY_MS, "projects": PROJECTS, "contexts": CONTEXTS, **figures}
    )


@pytest.mark.bench
def test_apply_wall_time(tmp_path: Path) -> None:
    seed, manifest_data, env = world()
    manifest = write(tmp_path, manifest_data)
    server = Emulator(empty_seed(seed), tmp_path)
    url = server.url
    concurrency = 8
    try:
        api = CircleCI(ClientConfig(host=url, token=TOKEN, concurrency=concurrency))
        resolver = SecretResolver(env)
        result = make_plan(manifest, api, resolver=resolver)
        depth = 1 + max(c.wave for c in result.plan.changes)
        before = len(served(url))
        start = time.perf_counter()
        outcomes = apply_plan(result, api, resolver)
        wall = time.perf_counter() - start
        log = served(url)[before:]
        writes = sum(1 for r in log if r["method"] != "GET")
        ideal = writes * LATENCY_MS / 1000 / concurrency + depth * LATENCY_MS / 1000
        assert all(o.status == "done" for o in outcomes)
        record(
            "apply",
            {
                "latency_ms": LATENCY_MS,
                "concurrency": concurrency,
                "changes": len(result.plan.changes),
                "writes": writes,
                "reads_during_apply": len(log) - writes,
                "waves": depth,
                "wall_s": round(wall, 2),
                "ideal_s": round(ideal, 2),
                "ratio": round(wall / ideal, 2),
            },
        )
        assert make_plan(manifest, api, resolver=resolver).plan.empty
    finally:
        server.stop()
