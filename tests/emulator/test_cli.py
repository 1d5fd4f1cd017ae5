"""`circleci-reconciler emulator`: prints its URL as the first line, serves, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

from tests.emulator.helpers import REPO


def test_cli_prints_its_url_first_and_stops_on_sigterm(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("organizations:\n  gh/acme:\n    projects:\n      gh/acme/api: {}\n")
    cmd = [sys.executable, "-m", "reconciler.cli", "emulator", "--token", "cli-token"]
    cmd += ["--seed", str(seed), "--page-size", "5", "--latency-ms", "1"]
    cmd += ["--fault", "status=503,route=/api/v2/me,times=1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        resp = requests.get(
            url + "/api/v2/project/gh/acme/api", headers={"Circle-Token": "cli-token"}, timeout=10
        )
        assert resp.status_code == 200 and resp.json()["slug"] == "gh/acme/api"
        me = [
            requests.get(url + "/api/v2/me", headers={"Circle-Token": "cli-token"}, timeout=10)
            for _ in range(2)
        ]
        assert [r.status_code for r in me] == [503, 200]  # the --fault rule fired once
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert "cli-token" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_without_the_emulator_extra_says_what_to_install():
    # werkzeug comes with the `emulator` extra; a plain install must say so, not trace back.
    code = (
        "import sys; sys.modules['werkzeug'] = None; "
        "from reconciler.cli import main; main(['emulator'])"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "pip install 'circleci-reconciler[emulator]'" in run.stderr
    assert "Traceback" not in run.stderr
