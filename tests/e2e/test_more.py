"""--target, a failed change skipping only its dependants, missing objects in drift, the
confirmation prompt on a real terminal, and the Markdown plan for a PR comment."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.e2e.harness import (
    SECRETS,
    TOKEN,
    Cli,
    complete,
    context_by_name,
    project_by_slug,
    write_manifest,
)

# A group id no organization has: plans (ids need no lookup), fails when applied.
MISSING_GROUP = "00000000-0000-4000-8000-000000000000"


def test_target_limits_the_plan_to_an_address_and_what_it_requires(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    target = "context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]"
    plan = cli("plan", path, "--format", "json", "--target", target).json()
    addresses = {c["address"] for c in plan["changes"]}
    # The variable, plus the context and restrictions it must wait for.
    assert target in addresses and "context[aws-prod]" in addresses
    assert all(a.startswith("context[aws-prod]") for a in addresses)
    assert "context[aws-prod].env_var[AWS_ACCESS_KEY_ID]" not in addresses
    run = cli("apply", path, "--auto-approve", "--target", "project[gh/acme/api]")
    assert run.exit_code == 0, run.stdout
    state = world.state()
    assert "NPM_TOKEN" in project_by_slug(state, "gh/acme/api")["env_vars"]
    assert "aws-prod" not in {c["name"] for c in state["contexts"].values()}


def test_a_failed_change_skips_only_what_requires_it(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    data["contexts"]["aws-prod"]["restrictions"]["groups"] = [MISSING_GROUP]
    path = write_manifest(tmp_path, data)
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    failed = f"restriction[group:{MISSING_GROUP}]"
    assert any("FAILED" in line and failed in line for line in lines)
    skipped = [line for line in lines if line.strip().startswith("skipped")]
    assert skipped and all("context[aws-prod].env_var[" in line for line in skipped)
    state = world.state()
    # Independent changes finished; no secret went into the context left unrestricted.
    assert project_by_slug(state, "gh/acme/api")["env_vars"]["NPM_TOKEN"]["value"]
    assert context_by_name(state, "aws-prod")["env_vars"] == {}
    assert "Apply finished:" in run.stdout and "failed" in run.stdout


def test_drift_reports_objects_deleted_by_hand_as_missing(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve").exit_code == 0
    state = world.state()
    schedule = next(iter(state["schedules"]))
    hook = next(iter(state["webhooks"]))
    headers = {"Circle-Token": TOKEN}
    requests.delete(f"{world.api}/schedule/{schedule}", headers=headers, timeout=5)
    live = state["webhooks"][hook]
    requests.put(
        f"{world.api}/webhook/{hook}",
        json={
            "name": live["name"],
            "url": live["url"],
            "events": live["events"],
            "signing-secret": live["signing_secret"],
            "verify-tls": False,
        },
        headers=headers,
        timeout=5,
    ).raise_for_status()
    report = cli("drift", path, "--format", "json")
    assert report.exit_code == 2
    objects = {o["address"]: o for o in report.json()["objects"]}
    assert objects["project[gh/acme/api].schedule[nightly]"]["status"] == "missing"
    hook_row = objects["project[gh/acme/api].webhook[slack]"]
    assert hook_row["status"] == "changed"
    assert hook_row["fields"] == [{"field": "verify_tls", "manifest": True, "live": False}]


def test_markdown_plan_for_a_pull_request_comment(cli: Cli, world: Any, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    run = cli("plan", write_manifest(tmp_path, complete()), "--format", "markdown")
    assert run.exit_code == 0
    assert run.stdout.startswith("<!-- circleci-reconciler:plan")
    html = MarkdownIt("gfm-like", {"linkify": False}).render(run.stdout)
    assert "<table>" in html and "<details>" in run.stdout


def test_apply_asks_for_confirmation_on_a_terminal(world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    env = {**os.environ, "CIRCLECI_HOST": world.url, "CIRCLECI_TOKEN": TOKEN, **SECRETS}
    env.pop("CI", None)

    def session(answer: bytes) -> tuple[int, str]:
        main, child = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "reconciler.cli", "apply", str(path), "--no-color"],
            stdin=child,
            stdout=child,
            stderr=child,
            env=env,
        )
        os.close(child)
        out, sent, deadline = b"", False, time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if not sent and b"Only 'yes' applies: " in out:
                os.write(main, answer)
                sent = True
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=30)
        os.close(main)
        return proc.returncode, out.decode(errors="replace")

    for answer in (b"n\n", b"y\n", b"\n"):  # a reflexive y or Enter applies nothing
        code, text = session(answer)
        assert code == 1 and "Nothing applied (the answer was not 'yes')." in text
        assert "Apply 16 changes to CircleCI? Only 'yes' applies: " in text
        assert not any(v in text for v in [*SECRETS.values(), TOKEN])
        assert "aws-prod" not in {c["name"] for c in world.state()["contexts"].values()}
    code, text = session(b"yes\n")
    assert code == 0, text
    assert "Apply finished" in text


def test_verbose_logs_every_call_and_no_value(cli: Cli, world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    run = cli("-vv", "apply", path, "--auto-approve")
    assert run.exit_code == 0
    assert "DEBUG reconciler.client: GET /api/v2/me/collaborations -> 200" in run.stderr
    assert "INFO reconciler.apply: wave 1:" in run.stderr
    assert "PUT /api/v2/context/" in run.stderr  # secret writes are logged by path only
    quiet = cli("plan", path)
    assert "reconciler.client" not in quiet.stderr
    # The cli fixture scans every output, these logs included, for values and the token.


def test_a_group_named_by_id_is_as_stable_as_one_named_by_name(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    group_id = next(iter(next(iter(world.state()["organizations"].values()))["groups"]))
    data = complete()
    data["contexts"]["aws-prod"]["restrictions"]["groups"] = [group_id]
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
