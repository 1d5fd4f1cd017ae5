"""The first hour's stumbles, each answered where it happens: -v after the command, a
mistyped --target, a host without a scheme, an empty env value, an interrupted apply."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from reconciler.render.outcomes import interrupted_summary
from tests.e2e.harness import SECRETS, TOKEN, Cli, complete, seed, write_manifest


def test_verbose_after_the_command_adds_to_verbose_before_it(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    assert "INFO reconciler" not in cli("plan", path).stderr
    after = cli("plan", path, "-v").stderr
    assert "INFO reconciler" in after and "DEBUG" not in after
    assert "DEBUG reconciler" in cli("-v", "plan", path, "-v").stderr


def test_a_mistyped_target_names_the_nearest_addresses(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    run = cli("plan", write_manifest(tmp_path, complete()), "--target", "context[aws-prd]")
    assert run.exit_code == 1
    assert run.stderr == (
        "Error: --target context[aws-prd] matches nothing in the manifest or in CircleCI; "
        "did you mean context[aws-prod]? (brackets inside a name are written \\[ and \\])\n"
    )


def test_a_host_without_a_scheme_is_refused_with_the_url_to_write(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    run = cli("plan", path, "--host", "circleci.example.com")
    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == (
        "Error: Invalid value for --host / CIRCLECI_HOST: the host needs its scheme: write "
        "https://circleci.example.com. The token goes only over https, or plain http to a "
        "loopback address (--allow-http for any other)"
    )
    local = cli("plan", path, env={"CIRCLECI_HOST": "localhost:8080"}).stderr
    assert "write http://localhost:8080." in local
    # a user name and password are refused without being repeated
    hidden = cli("plan", path, "--host", "me:pa55@ci.example.com").stderr
    assert "must not hold a user name or password" in hidden and "pa55" not in hidden


def test_an_empty_env_value_is_refused_at_its_place_unless_allowed(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    run = cli("plan", path, env={"NPM_TOKEN": ""})
    assert run.exit_code == 1
    assert run.stderr == (
        f"{path}:18:14: environment variable NPM_TOKEN is empty; if an empty value is meant, "
        "write {env: NPM_TOKEN, allow_empty: true}\n1 problem found.\n"
    )
    data = complete()
    data["projects"]["gh/acme/api"]["env_vars"]["NPM_TOKEN"]["allow_empty"] = True
    allowed = write_manifest(tmp_path / "allowed", data)
    assert (
        cli("plan", allowed, env={"NPM_TOKEN": ""}).exit_code == 0
    )  # plans without --detailed-exitcode


def test_the_interrupted_summary_says_what_finished_what_did_not_and_what_to_do() -> None:
    planned = [f"context[c{i}]" for i in range(14)]
    outcomes = {"context[c0]": "done", "context[c1]": "failed", "context[c2]": "done"}
    assert interrupted_summary(planned, outcomes) == "\n".join(
        [
            "Apply interrupted: 3 of 14 changes finished (2 done, 1 failed, 0 skipped), "
            "11 did not start or were cut short.",
            "  Done:",
            "    context[c0]",
            "    context[c2]",
            "  Not started or cut short:",
            *(f"    context[c{i}]" for i in range(3, 13)),
            "    and 1 more",
            "Run apply again: it plans from what CircleCI holds now and makes only the changes "
            "still needed.",
        ]
    )


def test_ctrl_c_during_apply_prints_that_summary(emulator_factory: Any, tmp_path: Path) -> None:
    world = emulator_factory(seed=seed(), tokens=(), latency_ms=300)
    path = write_manifest(tmp_path, complete())
    env = {**os.environ, "CIRCLECI_HOST": world.url, "CIRCLECI_TOKEN": TOKEN, "CI": "true"}
    cmd = [sys.executable, "-m", "reconciler.cli", "apply", str(path), "--auto-approve"]
    proc = subprocess.Popen(
        [*cmd, "--concurrency", "1"],
        env={**env, **SECRETS},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(r["method"] != "GET" for r in world.requests()):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, errors = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + errors
    assert "Apply interrupted: " in errors and "did not start or were cut short." in errors
    assert errors.rstrip().endswith("makes only the changes still needed.")
