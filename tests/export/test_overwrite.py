"""`export --output FILE` never replaces an existing file silently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import main
from tests.export.seed import API, ORG, TOKEN, seed


def test_an_existing_output_is_refused_unless_forced(emulator_factory: Any, tmp_path: Path) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    out = tmp_path / "acme.yaml"
    out.write_text("# edited by hand\n", encoding="utf-8")
    args = ["export", "--org", ORG, "--project", API, "--output", str(out)]
    emulator.reset_requests()

    refused = CliRunner().invoke(main, args, env=env)
    assert refused.exit_code == 1
    assert f"{out} already exists: pass --force to overwrite it" in refused.stderr
    assert out.read_text(encoding="utf-8") == "# edited by hand\n"
    assert emulator.requests() == []  # refused before reading CircleCI

    forced = CliRunner().invoke(main, [*args, "--force"], env=env)
    assert forced.exit_code == 0, forced.output
    assert "organization:" in out.read_text(encoding="utf-8")

    fresh = tmp_path / "new.yaml"
    made = CliRunner().invoke(main, [*args[:-1], str(fresh)], env=env)
    assert made.exit_code == 0 and fresh.exists()
