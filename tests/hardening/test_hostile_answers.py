"""Hostile and broken answers, aimed by the emulator at one route: plan and apply stop with a
clear error and write nothing; a fault that passes is retried; the client gives up in time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.client.config import ClientConfig
from reconciler.client.http import HttpClient
from reconciler.client.retry import RetryPolicy
from reconciler.errors import TransportError
from tests.e2e.harness import TOKEN, Cli, complete, write_manifest, writes

# A list the plan must read in full, and a single object it must read.
LIST = "/api/v2/context*"
OBJECT = "/api/v2/project/gh%2Facme%2Fapi"
PROJECT_READS = "/api/v2/project/*"  # a project, then its collections

PERSISTENT = [
    ("truncated-json", LIST, "not a paged list"),
    ("html=200", LIST, "not a paged list"),
    ("wrong-types", LIST, "nothing was planned or changed"),
    ("missing-fields", LIST, "nothing was planned or changed"),
    ("wrong-types", OBJECT, "nothing was planned or changed"),
    ("missing-fields", OBJECT, "without its name or id"),
    ("repeat-page-token", LIST, "same page twice"),
    ("endless", LIST, "same page twice"),
    ("redirect-loop", LIST, "HTTP 302"),
    ("status=401", LIST, "check the token"),
    ("status=403", LIST, "HTTP 403"),
    ("status=404", OBJECT, "does not exist"),
    # In the middle of the reads: the first matching answers were good.
    ("status=401,after=3", PROJECT_READS, "check the token"),
    ("status=403,after=3", PROJECT_READS, "HTTP 403"),
    ("status=404,after=3", PROJECT_READS, "HTTP 404"),
]


def _check(run: Any, expected: str) -> None:
    assert run.exit_code == 1, run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr.startswith("Error: ") and expected in run.stderr, run.stderr
    assert len(run.stderr) < 600


@pytest.mark.parametrize(("mode", "route", "expected"), PERSISTENT)
def test_plan_and_apply_stop_cleanly_and_write_nothing(
    cli: Cli, world: Any, tmp_path: Path, mode: str, route: str, expected: str
) -> None:
    path = write_manifest(tmp_path, complete())
    world.fault(f"{mode},route={route},method=GET")
    _check(cli("plan", path), expected)
    world.reset_requests()
    _check(cli("apply", path, "--auto-approve"), expected)
    assert writes(world.requests()) == []


def test_a_list_that_never_ends_is_cut_off(cli: Cli, world: Any, tmp_path: Path) -> None:
    """Pages that differ and name a new token every time: stopped at the page limit."""
    path = write_manifest(tmp_path, complete())
    world.fault("endless,route=/api/v2/project/gh%2Facme%2Fapi/schedule,method=GET")
    _check(cli("plan", path), "more than 1000 pages")


@pytest.mark.parametrize("mode", ["html", "reset", "status=500"])
def test_a_passing_fault_is_retried_and_the_plan_completes(
    cli: Cli, world: Any, tmp_path: Path, mode: str
) -> None:
    path = write_manifest(tmp_path, complete())
    world.fault(f"{mode},route={LIST},method=GET,times=1")
    run = cli("plan", path)
    assert run.exit_code == 0, run.stderr
    assert any(r["status"] == 200 for r in world.requests() if "/context" in r["path"])


def test_401_in_the_middle_of_an_apply_stops_the_writes(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    world.fault("status=401,method=POST,after=2")
    run = cli("apply", path, "--auto-approve", "--concurrency", "1")
    assert run.exit_code == 1
    assert "check the token" in run.stdout and "CircleCI refused the token" in run.stdout
    assert len([w for w in writes(world.requests()) if w["status"] == 401]) == 1
    world.fault(None)  # the token works again: the next apply finishes the job
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize("mode", ["slow=1.5", "reset"])
def test_the_client_gives_up_on_a_slow_or_broken_answer(world: Any, mode: str) -> None:
    world.fault(f"{mode},route=/api/v2/me")
    config = ClientConfig(host=world.url, token=TOKEN, timeout=0.5)
    retry = RetryPolicy(max_retry_wait=0.2, max_failures=1)
    client = HttpClient(config, retry=retry, sleep=lambda s: None)
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        client.request("GET", "/me")
    assert time.monotonic() - started < 5
    assert "no answer from CircleCI" in str(caught.value)


def test_faults_are_chosen_by_the_admin_api_and_by_flag(emulator_factory: Any) -> None:
    emu = emulator_factory(fault_rules=["status=403,route=/api/v2/me,times=1"])
    headers = {"Circle-Token": emu.token}
    assert requests.get(emu.api + "/me", headers=headers, timeout=5).status_code == 403
    assert requests.get(emu.api + "/me", headers=headers, timeout=5).status_code == 200
    emu.fault({"mode": "redirect-loop", "route": "/api/v2/me"})
    listed = requests.get(emu.url + "/_emulator/faults", timeout=5).json()
    assert [r["mode"] for r in listed] == ["status", "redirect-loop"]
    answer = requests.get(emu.api + "/me", headers=headers, timeout=5, allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/api/v2/me")
    bad = requests.post(emu.url + "/_emulator/faults", json="no-such-mode", timeout=5)
    assert bad.status_code == 400
    emu.fault(None)
    assert requests.get(emu.api + "/me", headers=headers, timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("mode", "route"),
    [
        ("wrong-types", LIST),
        ("missing-fields", LIST),
        ("missing-fields", OBJECT),
        ("missing-fields", "/api/v2/context/*/environment-variable"),
        ("truncated-json", OBJECT + "/schedule"),
    ],
)
def test_export_stops_instead_of_writing_empty_collections(
    cli: Cli, world: Any, tmp_path: Path, mode: str, route: str
) -> None:
    world.fault(f"{mode},route={route},method=GET")
    out = tmp_path / "exported.yaml"
    run = cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "-o", out)
    assert run.exit_code == 1 and run.stderr.startswith("Error: "), run.stderr
    assert "Traceback" not in run.stderr and not out.exists()
