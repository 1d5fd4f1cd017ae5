"""examples/ci/config.yml: a CircleCI 2.1 config whose every circleci-reconciler command line
is one the real CLI accepts, with the drift report stored as test results."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
import pytest
from ruamel.yaml import YAML

from reconciler.cli import main

CONFIG = Path(__file__).resolve().parents[2] / "examples" / "ci" / "config.yml"


def _config() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(CONFIG.read_text(encoding="utf-8"))
    return data


def _runs(job: dict[str, Any]) -> list[str]:
    return [s["run"]["command"] for s in job["steps"] if isinstance(s, dict) and "run" in s]


def _command_lines(config: dict[str, Any]) -> dict[str, list[list[str]]]:
    """job -> every circleci-reconciler invocation, as argv without the program name."""
    out: dict[str, list[list[str]]] = {}
    for name, job in config["jobs"].items():
        for script in _runs(job):
            for line in script.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] == ["circleci-reconciler"]:
                    cut = words.index(">") if ">" in words else len(words)
                    out.setdefault(name, []).append(words[1:cut])
    return out


def test_shape_of_the_config() -> None:
    config = _config()
    assert str(config["version"]) == "2.1"
    assert {"plan", "apply", "drift"} <= set(config["jobs"])
    for wf in config["workflows"].values():
        for entry in wf["jobs"]:
            ((job, opts),) = entry.items()
            assert job in config["jobs"] or opts.get("type") == "approval"
    nightly = config["workflows"]["nightly-drift"]
    assert "<< pipeline.schedule.name >>" in str(nightly["when"])
    assert [next(iter(j)) for j in nightly["jobs"]] == ["drift"]
    deliver = [next(iter(j)) for j in config["workflows"]["deliver"]["jobs"]]
    assert deliver == ["plan", "approve", "apply"]


def test_the_drift_job_stores_its_junit_report() -> None:
    drift = _config()["jobs"]["drift"]
    (argv,) = _command_lines(_config())["drift"]
    assert argv[:4] == ["drift", "manifests/", "--format", "junit"]
    output = Path(argv[argv.index("--output") + 1])
    stored = [s["store_test_results"]["path"] for s in drift["steps"] if "store_test_results" in s]
    assert stored == [str(output.parent)]


@pytest.mark.parametrize("job", ["plan", "apply", "drift"])
def test_every_command_line_parses_with_the_real_cli(
    job: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the paths the commands name, as in a checked-out repo
    (tmp_path / "manifests").mkdir()
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "plan.json").write_text("{}", encoding="utf-8")
    lines = _command_lines(_config())[job]
    assert lines
    for argv in lines:
        ctx = click.Context(main)
        command = main.get_command(ctx, argv[0])
        assert command is not None, argv
        command.make_context(argv[0], list(argv[1:]), parent=ctx)  # raises on a bad option
