"""SIGKILL at seeded random moments of an apply that rewrites secrets: afterwards drift finds
none of the tool's own writes tampered, and the next apply converges with no duplicate."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.e2e.harness import TOKEN, Cli, seed, write_manifest
from tests.e2e.test_faults import assert_no_duplicates

KILLS = 20
VARS = 8
KEY = {"CIRCLECI_RECONCILER_LEDGER_KEY": "kill-test-key"}


def manifest() -> dict[str, Any]:
    refs = {f"K{i}": {"env": f"KV{i}"} for i in range(VARS)}
    return {
        "version": 1,
        "organization": "gh/acme",
        "projects": {
            "gh/acme/api": {
                "env_vars": dict(refs),
                "checkout_keys": ["deploy-key"],
                "webhooks": {
                    "hook": {
                        "url": "https://hooks.example.com/k",
                        "events": ["workflow-completed"],
                        "signing_secret": {"env": "KV0"},
                    }
                },
            }
        },
        "contexts": {"kill-ctx": {"env_vars": dict(refs)}},
    }


def values(round_: int) -> dict[str, str]:
    return {f"KV{i}": f"round-{round_}-value-{i}" for i in range(VARS)}


def drift(cli: Cli, path: Path, ledger: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    run = cli("drift", path, "--ledger", ledger, "--format", "json", env={**KEY, **env})
    assert run.exit_code in (0, 2), run.stderr
    objects: list[dict[str, Any]] = run.json()["objects"]
    return objects


def test_sigkill_at_random_moments_leaves_no_false_alarm(
    emulator_factory: Any, tmp_path: Path
) -> None:
    world = emulator_factory(seed=seed(), tokens=(), page_size=20, latency_ms=5)
    path = write_manifest(tmp_path, manifest())
    ledger = tmp_path / "ledger.json"
    cli = Cli(host=world.url)
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env={**KEY, **values(0)})
    rng = random.Random(20)
    cmd = [sys.executable, "-m", "reconciler.cli", "apply", str(path), "--auto-approve"]
    cmd += ["--force", "--ledger", str(ledger)]
    base = {**os.environ, "CIRCLECI_HOST": world.url, "CIRCLECI_TOKEN": TOKEN, "CI": "true", **KEY}
    killed_mid_write = unconfirmed = 0
    for round_ in range(1, KILLS + 1):
        env = values(round_)
        world.reset_requests()
        proc = subprocess.Popen(
            cmd, env={**base, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wanted = rng.randint(1, 2 * VARS + 1)  # writes seen before the kill
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            writes = [r for r in world.requests() if r["method"] != "GET"]
            if len(writes) >= wanted:
                break
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_write += 1
        proc.wait(timeout=30)
        objects = drift(cli, path, ledger, env)
        alarms = [o["address"] for o in objects if o["status"] == "tampered"]
        assert alarms == [], (round_, wanted, alarms)
        # A write whose answer the killed run never saw is at worst unconfirmed.
        unconfirmed += any("unconfirmed" in o["detail"] for o in objects)
        run = cli(
            "apply", path, "--auto-approve", "--force", "--ledger", ledger, env={**KEY, **env}
        )
        assert run.exit_code == 0, run.stdout + run.stderr
        assert_no_duplicates(world.state())
        again = cli("plan", path, "--ledger", ledger, "--detailed-exitcode", env={**KEY, **env})
        assert again.exit_code == 0, again.stdout
    assert killed_mid_write >= KILLS * 3 // 4, killed_mid_write
    assert unconfirmed >= 1  # the kills did land between a write and its outcome
