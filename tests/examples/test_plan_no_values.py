"""`plan --no-values`: the pull-request plan reads no secret value (so its job holds none),
opens no ledger, and says that values were not compared."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.support.emulator_fixture import RunningEmulator

MANIFEST = """version: 1
organization: gh/acme
policy: {ledger: ledger.json}
contexts:
  deploy:
    env_vars:
      KEY: {env: DEPLOY_KEY}
      REGION: eu-west-1
"""


def _plan(emulator: RunningEmulator, tmp_path: Path, *args: str, **env: str) -> Result:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    environ = {"CIRCLECI_HOST": emulator.url, "CIRCLECI_TOKEN": emulator.token or "", **env}
    return CliRunner().invoke(main, ["plan", str(tmp_path / "m.yaml"), *args], env=environ)


def test_no_value_is_read_and_no_ledger_opened(emulator: RunningEmulator, tmp_path: Path) -> None:
    without = _plan(emulator, tmp_path, CIRCLECI_RECONCILER_LEDGER_KEY="")
    assert without.exit_code == 1 and "DEPLOY_KEY is not set" in without.output
    result = _plan(emulator, tmp_path, "--no-values")
    assert result.exit_code == 0, result.output
    assert "context[deploy].env_var[KEY]" in result.output
    assert not (tmp_path / "ledger.json").exists()
    assert {r["method"] for r in emulator.requests()} == {"GET"}


def test_no_values_is_refused_with_a_saved_plan_or_a_ledger(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    for extra in (
        ["--out", str(tmp_path / "p.json")],
        ["--ledger", "l.json"],
        ["--rewrite-secrets"],
    ):
        result = _plan(emulator, tmp_path, "--no-values", *extra)
        assert result.exit_code == 1
        assert "--no-values cannot be combined" in result.output
