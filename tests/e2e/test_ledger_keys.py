"""The ledger's key is checked: a wrong or missing key stops a run before any request, and
rotation re-keys the fingerprints offline, without rewriting any secret in CircleCI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.harness import Cli, complete, write_manifest, writes

VAR, OLD_VAR = "CIRCLECI_RECONCILER_LEDGER_KEY", "CIRCLECI_RECONCILER_OLD_LEDGER_KEY"
KEY_A, KEY_B = "first-ledger-key", "second-ledger-key"


def _applied(cli: Cli, tmp_path: Path) -> tuple[Path, Path]:
    path = write_manifest(tmp_path, complete())
    ledger = tmp_path / "ledger.json"
    run = cli("apply", path, "--auto-approve", "--ledger", ledger, env={VAR: KEY_A})
    assert run.exit_code == 0, run.stderr
    assert json.loads(ledger.read_text())["key_check"].startswith("hmac-sha256:")
    return path, ledger


def test_a_wrong_key_stops_before_any_request(cli: Cli, world: Any, tmp_path: Path) -> None:
    path, ledger = _applied(cli, tmp_path)
    before = ledger.read_text()
    world.reset_requests()
    for command in ("plan", "drift", "apply"):
        extra = ("--auto-approve",) if command == "apply" else ()
        run = cli(command, path, *extra, "--ledger", ledger, env={VAR: KEY_B})
        assert run.exit_code == 1, run.stdout
        message = run.stderr.strip()
        assert message.count("\n") == 0, message  # one clear error
        assert str(ledger) in message and VAR in message, message
        assert "not the key" in message and run.stdout == ""
    assert world.requests() == []  # not a read, let alone a write
    assert ledger.read_text() == before


def test_no_key_for_a_keyed_ledger_is_refused_as_clearly(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path, ledger = _applied(cli, tmp_path)
    world.reset_requests()
    run = cli("apply", path, "--auto-approve", "--ledger", ledger, env={VAR: None})
    assert run.exit_code == 1
    assert str(ledger) in run.stderr and VAR in run.stderr and "holds keyed" in run.stderr
    assert world.requests() == []


def test_rotation_rekeys_offline_then_only_the_new_key_is_accepted(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path, ledger = _applied(cli, tmp_path)
    before = json.loads(ledger.read_text())
    world.reset_requests()
    run = cli("rotate-ledger-key", path, "--ledger", ledger, env={OLD_VAR: KEY_A, VAR: KEY_B})
    assert run.exit_code == 0, run.stderr
    recorded = sum(1 for e in before["entries"].values() if "fingerprint" in e)
    assert f"Re-keyed {recorded} fingerprint(s)" in run.stdout and "Dropped" not in run.stdout
    assert world.requests() == []  # offline: no secret rewritten, nothing even read
    after = json.loads(ledger.read_text())
    assert after["key_check"] != before["key_check"]
    for address, entry in before["entries"].items():
        assert after["entries"][address]["updated_at"] == entry["updated_at"]
        if "fingerprint" in entry:
            assert after["entries"][address]["fingerprint"] != entry["fingerprint"]

    plan = cli("plan", path, "--ledger", ledger, "--detailed-exitcode", env={VAR: KEY_B})
    assert plan.exit_code == 0, plan.stdout
    assert "No changes" in plan.stdout or "no changes" in plan.stdout.lower()
    old = cli("plan", path, "--ledger", ledger, env={VAR: KEY_A})
    assert old.exit_code == 1 and VAR in old.stderr and str(ledger) in old.stderr
    assert writes(world.requests()) == []
    cli.assert_no_secrets(ledger)
    for text in [*cli.outputs, ledger.read_text()]:
        assert KEY_A not in text and KEY_B not in text


def test_rotation_drops_what_changed_since_the_last_apply(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path, ledger = _applied(cli, tmp_path)
    changed = {"PROD_SECRET": "aws-secret-value-4444-rotated"}
    keys = {OLD_VAR: KEY_A, VAR: KEY_B}
    run = cli("rotate-ledger-key", path, "--ledger", ledger, env={**keys, **changed})
    assert run.exit_code == 0, run.stderr
    assert "Dropped 1 fingerprint(s)" in run.stdout
    plan = cli("plan", path, "--ledger", ledger, "--format", "json", env={VAR: KEY_B, **changed})
    assert plan.exit_code == 0, plan.stderr
    # What the old key would have planned: the changed value, written once, and nothing else.
    addresses = [c["address"] for c in plan.json()["changes"]]
    assert addresses == ["context[aws-prod].env_var[AWS_SECRET_ACCESS_KEY]"]


def test_rotation_refuses_a_wrong_or_missing_old_key(cli: Cli, world: Any, tmp_path: Path) -> None:
    path, ledger = _applied(cli, tmp_path)
    before = ledger.read_text()
    wrong = cli("rotate-ledger-key", path, "--ledger", ledger, env={OLD_VAR: "nope", VAR: KEY_B})
    assert wrong.exit_code == 1
    assert OLD_VAR in wrong.stderr and str(ledger) in wrong.stderr
    missing = cli("rotate-ledger-key", path, "--ledger", ledger, env={VAR: KEY_B})
    assert missing.exit_code == 1 and OLD_VAR in missing.stderr
    # A ledger from before key checks cannot vouch for the old key; its fingerprints can.
    data = json.loads(before)
    del data["key_check"]
    ledger.write_text(json.dumps(data))
    unchecked = cli("rotate-ledger-key", path, "--ledger", ledger, env={OLD_VAR: "no", VAR: KEY_B})
    assert unchecked.exit_code == 1 and "no fingerprint" in unchecked.stderr
    assert json.loads(ledger.read_text()) == data


def test_a_ledger_without_a_key_check_keeps_working_and_gains_one(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path, ledger = _applied(cli, tmp_path)
    data = json.loads(ledger.read_text())
    del data["key_check"]  # as written before key checks were recorded
    ledger.write_text(json.dumps(data))
    plan = cli("plan", path, "--ledger", ledger, "--detailed-exitcode", env={VAR: KEY_A})
    assert plan.exit_code == 0, plan.stdout
    manifest = complete()
    manifest["projects"]["gh/acme/api"]["env_vars"]["LOG_LEVEL"] = "info"
    write_manifest(tmp_path, manifest)
    run = cli("apply", path, "--auto-approve", "--ledger", ledger, env={VAR: KEY_A})
    assert run.exit_code == 0, run.stderr
    assert "key_check" in json.loads(ledger.read_text())
    assert cli("plan", path, "--ledger", ledger, env={VAR: KEY_B}).exit_code == 1
