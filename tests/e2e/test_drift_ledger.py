"""drift and the fingerprint ledger, end to end."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests

from tests.e2e.harness import TOKEN, Cli, complete, context_by_name, write_manifest

KEY = {"CIRCLECI_RECONCILER_LEDGER_KEY": "k3y-for-tests"}


def _put(world: Any, ctx_id: str, name: str, value: str) -> None:
    requests.put(
        f"{world.api}/context/{ctx_id}/environment-variable/{name}",
        json={"value": value},
        headers={"Circle-Token": TOKEN},
        timeout=5,
    ).raise_for_status()


def test_no_drift_after_a_clean_apply_then_every_kind_of_drift(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.json"
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=KEY).exit_code == 0
    clean = cli("drift", path, "--ledger", ledger, env=KEY)
    assert clean.exit_code == 0, clean.stdout
    book = json.loads(ledger.read_text())
    assert book["keyed"] is True
    assert "context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]" in book["entries"]
    cli.assert_no_secrets(ledger)

    state = world.state()
    ctx = context_by_name(state, "aws-prod")
    time.sleep(1.1)  # updated_at has millisecond precision; make the hand edit clearly later
    _put(world, ctx["id"], "AWS_SECRET_ACCESS_KEY", "rewritten-by-hand")
    headers = {"Circle-Token": TOKEN}
    requests.post(
        f"{world.api}/project/gh%2Facme%2Fapi/envvar",
        json={"name": "LOG_LEVEL", "value": "warn"},  # a different masked suffix
        headers=headers,
        timeout=5,
    ).raise_for_status()
    requests.post(
        f"{world.api}/project/gh%2Facme%2Fapi/envvar",
        json={"name": "HAND_MADE", "value": "x"},
        headers=headers,
        timeout=5,
    ).raise_for_status()
    requests.patch(
        f"{world.api}/project/gh/acme/api/settings",
        json={"advanced": {"autocancel_builds": False}},
        headers=headers,
        timeout=5,
    ).raise_for_status()
    report = cli("drift", path, "--ledger", ledger, "--format", "json", env=KEY)
    assert report.exit_code == 2
    objects = {o["address"]: o for o in report.json()["objects"]}
    assert objects["context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]"]["status"] == "tampered"
    # With a ledger a hand edit is tampering; without one, the masked suffix still shows it.
    assert objects["project[gh/acme/api].env_var[LOG_LEVEL]"]["status"] == "tampered"
    bare = cli("drift", path, "--format", "json").json()
    plain = {o["address"]: o for o in bare["objects"]}
    assert plain["project[gh/acme/api].env_var[LOG_LEVEL]"]["status"] == "changed"
    assert objects["project[gh/acme/api].env_var[HAND_MADE]"]["status"] == "extra"
    settings = objects["project[gh/acme/api].settings"]
    assert settings["fields"] == [{"field": "autocancel_builds", "manifest": True, "live": False}]
    assert objects["context[unmanaged]"]["status"] == "unmanaged"
    for fmt in ("text", "markdown", "junit"):
        out = tmp_path / f"drift.{fmt}"
        run = cli("drift", path, "--ledger", ledger, "--format", fmt, "--output", out, env=KEY)
        assert run.exit_code == 2
        cli.assert_no_secrets(out)

    # plan sees the tampering too, and apply restores the value.
    plan = cli("plan", path, "--ledger", ledger, "--format", "json", env=KEY).json()
    addresses = {c["address"] for c in plan["changes"]}
    assert "context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]" in addresses
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=KEY).exit_code == 0
    assert cli("drift", path, "--ledger", ledger, env=KEY).exit_code == 0


def test_ledger_updates_exactly_the_secrets_whose_source_changed(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.json"
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=KEY).exit_code == 0
    env = {**KEY, "PROD_SECRET": "a-new-source-value"}
    plan = cli("plan", path, "--ledger", ledger, "--format", "json", env=env).json()
    assert [c["address"] for c in plan["changes"]] == [
        "context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]"
    ]
    data = complete()
    data["projects"]["gh/acme/api"]["webhooks"]["slack"]["signing_secret"]["version"] = 2
    path = write_manifest(tmp_path, data)
    plan = cli("plan", path, "--ledger", ledger, "--format", "json", env=KEY).json()
    assert [c["address"] for c in plan["changes"]] == ["project[gh/acme/api].webhook[slack]"]
    assert "version" in plan["changes"][0]["reason"]


def test_without_a_ledger_the_plan_says_what_it_cannot_compare(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve").exit_code == 0
    plan = cli("plan", path, "--format", "json").json()
    assert plan["changes"] == []
    notes = "\n".join(f"{n['address']}: {n['note']}" for n in plan["object_notes"])
    assert "context[aws-prod].env_var[AWS_ACCESS_KEY_ID]" in notes
    assert "never returns" in notes
