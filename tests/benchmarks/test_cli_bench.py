"""The CLI end to end, as users run it (run with `make bench`).

The CLI runs in its own process against the emulator in another, over https with keep-alive,
secrets in the CLI's environment. For each run: requests served, TCP connections opened,
429s, wall time, the CLI's own CPU time per request and peak memory (wait4), and the floor:
requests x latency / concurrency for a plan, requests / rate under a rate limit, and for an
apply reads x latency / concurrency + writes x latency / concurrency + waves x latency.
Figures go to bench-results/cli.json and are printed as a table. Wall times depend on what
else the machine runs; CPU times per request do not, much.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.scale import (
    Emulator,
    empty_seed,
    replay_sequentially,
    run_cli,
    world,
    write_manifest,
)

OUT = Path(__file__).parents[2] / "bench-results" / "cli.json"
CONCURRENCY = 16
CONTEXTS = 50
COLUMNS = ("requests", "conns", "429s", "wall_s", "floor_s", "ratio", "cpu_s", "cpu_ms_req",
           "rss_mib", "note")  # fmt: skip


def record(name: str, figures: dict[str, Any]) -> None:
    OUT.parent.mkdir(exist_ok=True)
    data = json.loads(OUT.read_text()) if OUT.exists() else {}
    data[name] = figures
    OUT.write_text(json.dumps(data, indent=2) + "\n")
    rows = [f"{'case':<24}" + "".join(f"{c:>11}" for c in COLUMNS[:-1]) + "  note"]
    for case, f in data.items():
        cells = "".join(f"{f.get(c, ''):>11}" for c in COLUMNS[:-1])
        rows.append(f"{case:<24}{cells}  {f.get('note', '')}")
    print("\n" + "\n".join(rows))


def measure(
    emu: Emulator, args: list[str], env: dict[str, str], tmp: Path, latency_ms: int
) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    emu.reset()
    run = run_cli([*args, "--host", emu.url, "--ca-bundle", emu.ca], env, tmp)
    log = emu.log()
    assert run.exit_code == 0, run.stderr[-2000:]
    requests = len(log)
    figures = {
        "requests": requests,
        "conns": len({entry.get("connection") for entry in log}),
        "429s": sum(1 for entry in log if entry["status"] == 429),
        "wall_s": round(run.wall, 2),
        "cpu_s": round(run.cpu, 2),
        "cpu_ms_req": round(1000 * run.cpu / requests, 2),
        "rss_mib": round(run.max_rss_mib),
        "latency_ms": latency_ms,
        "concurrency": CONCURRENCY,
    }
    return figures, log, run.stdout


def plan(
    projects: int, tmp: Path, latency_ms: int, rate: float = 0, replay: bool = False
) -> dict[str, Any]:
    """The plan of a world that already matches its manifest; with `replay`, the sequential
    script's wall time for the same reads as well."""
    seed, manifest, env = world(projects, min(CONTEXTS, projects))
    path = write_manifest(tmp, manifest)
    emu = Emulator(seed, tmp / "emu", latency_ms=latency_ms, rate=rate)
    args = ["plan", str(path), "--detailed-exitcode", "--concurrency", str(CONCURRENCY)]
    try:
        figures, log, _ = measure(emu, args, env, tmp, latency_ms)
        if replay:
            figures["sequential_s"] = round(replay_sequentially(emu, log), 2)
    finally:
        emu.stop()
    return figures


@pytest.mark.bench
@pytest.mark.parametrize("projects", [10, 100, 200, 1000, 5000])
def test_plan_cpu_and_memory_at_zero_latency(projects: int, tmp_path: Path) -> None:
    figures = plan(projects, tmp_path, latency_ms=0)
    figures["note"] = "no latency: client CPU and memory"
    record(f"plan {projects}p 0ms", figures)
    assert figures["conns"] <= CONCURRENCY + 2 and figures["429s"] == 0
    if projects >= 200:
        assert figures["cpu_ms_req"] <= 2.0
    assert figures["rss_mib"] < 1024


@pytest.mark.bench
def test_plan_at_50ms_against_the_floor_and_a_sequential_script(tmp_path: Path) -> None:
    figures = plan(200, tmp_path, latency_ms=50, replay=True)
    floor = figures["requests"] * 0.050 / CONCURRENCY
    speedup = round(figures["sequential_s"] / figures["wall_s"], 1)
    figures.update(floor_s=round(floor, 2), ratio=round(figures["wall_s"] / floor, 2))
    figures.update(
        speedup=speedup, note=f"sequential script {figures['sequential_s']}s: {speedup}x"
    )
    record("plan 200p 50ms", figures)
    assert figures["conns"] <= CONCURRENCY + 2


@pytest.mark.bench
def test_plan_under_a_20_per_second_rate_limit(tmp_path: Path) -> None:
    figures = plan(100, tmp_path, latency_ms=50, rate=20)
    floor = figures["requests"] / 20
    figures.update(floor_s=round(floor, 2), ratio=round(figures["wall_s"] / floor, 2))
    figures["note"] = "20 req/s limit: floor = requests / 20"
    record("plan 100p 20req/s", figures)
    assert figures["429s"] < figures["requests"] / 100


@pytest.mark.bench
@pytest.mark.parametrize("projects", [10, 100, 1000])
def test_apply_everything_at_50ms_against_its_floor(projects: int, tmp_path: Path) -> None:
    seed, manifest, env = world(projects, min(CONTEXTS, projects))
    path = write_manifest(tmp_path, manifest)
    # The plan's waves, read from a quick emulator holding the same empty world.
    quick = Emulator(empty_seed(seed), tmp_path / "quick", latency_ms=0, rate=0)
    try:
        args = ["plan", str(path), "--format", "json", "--host", quick.url, "--ca-bundle", quick.ca]
        planned = run_cli(args, env, tmp_path)
    finally:
        quick.stop()
    changes = json.loads(planned.stdout)["changes"]
    waves = 1 + max(c["wave"] for c in changes)
    emu = Emulator(empty_seed(seed), tmp_path / "emu", latency_ms=50, rate=0)
    apply = ["apply", str(path), "--auto-approve", "--concurrency", str(CONCURRENCY)]
    try:
        figures, log, _ = measure(emu, apply, env, tmp_path, 50)
    finally:
        emu.stop()
    writes = sum(1 for entry in log if entry["method"] != "GET")
    reads = figures["requests"] - writes
    floor = (reads + writes) * 0.050 / CONCURRENCY + waves * 0.050
    figures.update(
        changes=len(changes),
        writes=writes,
        waves=waves,
        floor_s=round(floor, 2),
        ratio=round(figures["wall_s"] / floor, 2),
    )
    figures["note"] = f"{writes} writes in {waves} waves after {reads} reads"
    record(f"apply {projects}p 50ms", figures)
    assert figures["conns"] <= CONCURRENCY + 2
