"""The CLI against CircleCI over https with a private CA (as a server install behind one)."""

from __future__ import annotations

from pathlib import Path

from reconciler.emulator import EmulatorConfig, EmulatorServer
from tests.e2e.harness import TOKEN, Cli, complete, seed, write_manifest


def test_plan_over_tls_trusts_the_ca_bundle_from_flag_or_environment(tmp_path: Path) -> None:
    server = EmulatorServer(EmulatorConfig(seed=seed(), tls=True, tls_dir=tmp_path / "tls"))
    url = server.start()
    try:
        cli = Cli(host=url)
        manifest = write_manifest(tmp_path, complete())
        refused = cli("plan", manifest)
        assert refused.exit_code == 1 and "--ca-bundle" in refused.stderr
        by_flag = cli("plan", manifest, "--ca-bundle", server.ca_file)
        assert by_flag.exit_code == 0, by_flag.stderr
        by_env = cli("plan", manifest, env={"CIRCLECI_CA_BUNDLE": str(server.ca_file)})
        assert by_env.exit_code == 0 and by_env.stdout == by_flag.stdout
        cli.assert_no_secrets()
    finally:
        server.stop()
    assert TOKEN not in refused.stderr
