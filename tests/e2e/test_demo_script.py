"""`make demo` piped: every step of the tour, no escape codes, no secret."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SECRETS = ("npm-demo-0001", "hook-demo-0002", "AKIADEMO0003", "demo-secret-0004", "AKIAOLD")


def test_the_demo_tours_every_output_and_prints_no_escape_codes_when_piped() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CIRCLECI_HOST")}
    run = subprocess.run(
        ["bash", "scripts/demo.sh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "\x1b" not in out + run.stderr
    steps = [line for line in out.splitlines() if line.startswith("== ")]
    assert [s.split(" (")[0].split(":")[0] for s in steps] == [
        "== emulator listening on http",
        "== export",
        "== validate examples/demo/manifest.yaml",
        "== plan",
        "== the same plan as a pull-request comment",
        "== apply --auto-approve",
        "== plan again",
        "== a colleague edits a context secret by hand, outside the manifest",
        "== drift",
        "== the same drift as a JUnit report for CI",
        "== API requests served by the emulator",
    ]
    assert "  token demo-token for demo (gh/acme)" in out  # the emulator's banner
    assert "AWS_ACCESS_KEY_ID: {}" in out  # the export adopts secrets without their values
    assert "<!-- circleci-reconciler:plan organization=gh/acme -->" in out
    assert '$ curl -X PUT "$CIRCLECI_HOST/api/v2/context/' in out
    assert "1 tampered" in out and '<testsuites name="circleci-reconciler drift"' in out
    assert not [s for s in SECRETS if s in out + run.stderr]
