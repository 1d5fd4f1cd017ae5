"""Convergence under faults: 5xx answers, writes committed then dropped, rate limits, and
apply interrupted by SIGTERM at random points. Seeds are fixed so runs are repeatable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import SECRETS, TOKEN, Cli, complete, seed, write_manifest


def assert_no_duplicates(state: dict[str, Any]) -> None:
    contexts = Counter(c["name"] for c in state["contexts"].values())
    assert max(contexts.values()) == 1, contexts
    schedules = Counter((s["project_id"], s["name"]) for s in state["schedules"].values())
    assert not schedules or max(schedules.values()) == 1, schedules
    hooks = Counter((h["project_id"], h["name"]) for h in state["webhooks"].values())
    assert not hooks or max(hooks.values()) == 1, hooks
    for c in state["contexts"].values():
        kinds = Counter((r["restriction_type"], r["restriction_value"]) for r in c["restrictions"])
        assert not kinds or max(kinds.values()) == 1, kinds
    for p in state["projects"].values():
        types = Counter(k["type"] for k in p["checkout_keys"])
        assert not types or max(types.values()) == 1, types
    slugs = Counter(p["slug"] for p in state["projects"].values())
    assert max(slugs.values()) == 1, slugs


def converge(cli: Cli, path: Path, runs: int = 5) -> int:
    for attempt in range(1, runs + 1):
        cli("apply", path, "--auto-approve", "--allow-deletes", "--force")
        if cli("plan", path, "--detailed-exitcode").exit_code == 0:
            return attempt
    return 0


@pytest.mark.parametrize("fault_seed", [7, 1234])
def test_apply_converges_under_faults_without_duplicates(
    emulator_factory: Any, tmp_path: Path, fault_seed: int
) -> None:
    world = emulator_factory(
        seed=seed(), tokens=(), page_size=2, fault_rate=0.2, fault_seed=fault_seed, rate_limit=40
    )
    cli = Cli(host=world.url)
    data = complete()
    data["projects"]["gh/acme/api"]["env_vars"].update({f"V{i}": f"v-{i}" for i in range(6)})
    path = write_manifest(tmp_path, data)
    took = converge(cli, path)
    assert took, "did not converge within 5 applies"
    statuses = Counter(r["status"] for r in world.requests())
    assert any(s >= 500 for s in statuses), statuses  # faults really happened
    assert_no_duplicates(world.state())
    cli.assert_no_secrets()


def test_interrupted_apply_converges(emulator_factory: Any, tmp_path: Path) -> None:
    world = emulator_factory(seed=seed(), tokens=(), page_size=2, latency_ms=25)
    path = write_manifest(tmp_path, complete())
    env = {
        **os.environ,
        "CIRCLECI_HOST": world.url,
        "CIRCLECI_TOKEN": TOKEN,
        "CI": "true",
        **SECRETS,
    }
    rng = random.Random(42)
    cmd = [sys.executable, "-m", "reconciler.cli", "apply", str(path), "--auto-approve"]
    interrupted = 0
    for _ in range(4):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 1.2))
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            interrupted += 1
        out, err = proc.communicate(timeout=60)
        for text in (out.decode(), err.decode()):
            assert "Traceback" not in text
            assert not any(v in text for v in [*SECRETS.values(), TOKEN])
    assert interrupted >= 1
    final = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    assert final.returncode == 0, final.stdout.decode() + final.stderr.decode()
    check = subprocess.run(
        [sys.executable, "-m", "reconciler.cli", "plan", str(path), "--detailed-exitcode"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout.decode()
    assert_no_duplicates(world.state())


def test_an_interrupt_python_cannot_raise_where_it_lands_is_delivered_again() -> None:
    # A SIGTERM can land in a weakref callback or an import lock's cleanup, where Python
    # prints "Exception ignored" with a traceback and drops it; the CLI raises it again.
    script = (
        "import signal, sys, weakref, time\n"
        "from reconciler.cli import interrupts\n"
        "interrupts.install()\n"
        "class Thing: pass\n"
        "thing = Thing()\n"
        "def callback(_):\n"
        "    raise KeyboardInterrupt\n"
        "ref = weakref.ref(thing, callback)\n"
        "try:\n"
        "    del thing\n"
        "    time.sleep(5)\n"
        "    print('lost')\n"
        "except KeyboardInterrupt:\n"
        "    print('delivered')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "delivered"
    assert "Traceback" not in run.stderr and "ignored" not in run.stderr
