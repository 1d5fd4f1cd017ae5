"""Benchmark: load and validate a manifest of 2,000 projects and 500 contexts (target < 2 s).

Every project uses every feature (settings, four env vars of each kind, checkout keys, a
schedule, a webhook with a signing secret), so this is the heavy end of a real manifest. Wall
and CPU time are measured for each YAML parser available: libyaml (ruamel.yaml's C extension)
and the pure-Python one. Run with `make bench`; the figures are printed and written to
bench-results/manifest.json."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from reconciler.manifest import load_manifest, yamlread

PROJECTS, CONTEXTS, RUNS = 2000, 500, 3
TARGET_SECONDS = 2.0
RESULTS = Path(__file__).parents[2] / "bench-results" / "manifest.json"


def _manifest_text() -> str:
    out = ["version: 1", "organization: gh/acme", "policy:", "  max_deletes: 20",
           "  manage_contexts: [ci-*]", "  ignore: {env_vars: [TMP_*]}", "projects:"]  # fmt: skip
    for i in range(PROJECTS):
        out += [
            f"  gh/acme/repo-{i}:",
            "    settings: {build_fork_prs: false, autocancel_builds: true,",
            "               pr_only_branch_overrides: [main]}",
            "    env_vars:",
            "      LOG_LEVEL: debug",
            f"      NPM_TOKEN: {{env: NPM_TOKEN_{i}}}",
            f"      SENTRY_DSN: {{file: secrets/dsn-{i}}}",
            "      DEPLOY_KEY: {env: DEPLOY_KEY, version: 2, protect: true}",
            "    checkout_keys: [deploy-key]",
            "    schedules:",
            "      nightly:",
            "        description: Nightly build of main",
            "        attribution_actor: system",
            "        timetable:",
            "          per_hour: 1",
            "          hours_of_day: [3]",
            "          days_of_week: [MON, TUE, WED, THU, FRI]",
            "        parameters: {branch: main, run-nightly: true}",
            "    webhooks:",
            "      slack:",
            "        url: https://hooks.example.com/circleci",
            "        events: [workflow-completed]",
            "        signing_secret: {env: WEBHOOK_SECRET}",
        ]
    out.append("contexts:")
    for i in range(CONTEXTS):
        out += [
            f"  ci-{i}:",
            "    restrictions:",
            f"      projects: [gh/acme/repo-{i}]",
            "      expressions: ['pipeline.git.branch == \"main\"']",
            "    env_vars:",
            f"      AWS_ACCESS_KEY_ID: {{env: AWS_KEY_{i}}}",
            "      AWS_REGION: eu-west-1",
        ]
    return "\n".join(out) + "\n"


@pytest.mark.bench
def test_load_2000_projects_and_500_contexts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(_manifest_text(), encoding="utf-8")
    figures: dict[str, object] = {
        "projects": PROJECTS,
        "contexts": CONTEXTS,
        "bytes": path.stat().st_size,
        "lines": path.read_text().count("\n"),
        "default_backend": yamlread.backend,
        "target_seconds": TARGET_SECONDS,
        "runs": RUNS,
    }
    for backend in sorted(yamlread.BACKENDS):
        monkeypatch.setattr(yamlread, "backend", backend)
        times, cpu = [], []
        for _ in range(RUNS):
            started, started_cpu = time.perf_counter(), time.process_time()
            manifest = load_manifest([path])
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert (len(manifest.projects), len(manifest.contexts)) == (PROJECTS, CONTEXTS)
        assert sum(1 for _ in manifest.secret_refs()) == PROJECTS * 5 + CONTEXTS * 2
        figures[f"{backend}_median_seconds"] = round(statistics.median(times), 3)
        figures[f"{backend}_best_seconds"] = round(min(times), 3)
        figures[f"{backend}_median_cpu_seconds"] = round(statistics.median(cpu), 3)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nmanifest benchmark: {json.dumps(figures)}")
