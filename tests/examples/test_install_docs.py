"""The README's runnable blocks run as written (against the emulator, and the GitHub fake for
the pull-request comment), and the files that install and hook the tool are what they say."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
from ruamel.yaml import YAML

from reconciler.cli import main
from tests.support.emulator_fixture import RunningEmulator
from tests.support.github_fake import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"<!-- test: (\w+) -->\n```sh\n(.*?)```", re.S)
BLOCKS = _BLOCK.findall(README)


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """bash -euo pipefail in its own process group, which is killed afterwards, so a block
    that fails before stopping its emulator leaves nothing running."""
    base = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(cwd)}
    proc = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env={**base, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=180)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "")


def test_the_first_lines_are_the_two_set_up_commands() -> None:
    lines = README.splitlines()
    assert lines[2] == "```sh" and lines[5] == "```"
    assert lines[3].startswith("make demo ") and lines[4].startswith("make test ")


def test_every_marked_block_is_of_a_known_kind() -> None:
    kinds = [kind for kind, _ in BLOCKS]
    assert kinds.count("emulator") >= 1 and kinds.count("github") >= 1
    assert set(kinds) <= {"emulator", "github"}
    assert README.count("<!-- test: ") == len(BLOCKS)  # no marker lost to a typo


@pytest.mark.parametrize(
    "script", [s for k, s in BLOCKS if k == "emulator"], ids=lambda s: s.splitlines()[0][:40]
)
def test_emulator_blocks_run(script: str, tmp_path: Path) -> None:
    result = _run(script, tmp_path, {})
    assert result.returncode == 0, result.stdout
    assert "example-only-value" not in result.stdout  # a secret from env: is never shown


@pytest.mark.parametrize(
    "script", [s for k, s in BLOCKS if k == "github"], ids=lambda s: s.splitlines()[0][:40]
)
def test_github_blocks_run(
    script: str, tmp_path: Path, emulator: RunningEmulator, github_fake: FakeGitHub
) -> None:
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "m.yaml").write_text(
        "version: 1\norganization: gh/acme\ncontexts:\n  c:\n    env_vars:\n"
        "      KEY: {env: NOT_IN_THIS_JOB}\n",
        encoding="utf-8",
    )
    env = {
        "CIRCLECI_HOST": emulator.url,
        "CIRCLECI_TOKEN": emulator.token or "",
        "GITHUB_TOKEN": github_fake.token,
        "GITHUB_API_URL": github_fake.url,
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "acme/settings",
        "GITHUB_REF": "refs/pull/3/merge",
    }
    for _ in range(2):
        result = _run(script, tmp_path, env)
        assert result.returncode == 0, result.stdout
        assert github_fake.token not in result.stdout
        assert len(github_fake.on("acme/settings", 3)) == 1


def test_the_pre_commit_hooks_run_the_real_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == [
        "circleci-reconciler-validate",
        "circleci-reconciler-lint",
    ]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "manifests").mkdir()
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "circleci-reconciler" and hook["language"] == "python"
        assert hook["pass_filenames"] is False  # the manifest is checked whole
        ctx = click.Context(main)
        sub = main.get_command(ctx, command)
        assert sub is not None
        sub.make_context(command, list(hook["args"]), parent=ctx)


def test_the_license_is_the_one_pyproject_names() -> None:
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_make_dist_builds_a_wheel() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^dist: ", makefile, re.M) and "pip wheel" in makefile
