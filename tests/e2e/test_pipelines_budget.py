"""The plan's request budget: a project declaring D pipeline definitions costs at most
1 + D reads more (the definition list, then each definition's triggers); a project that
declares none costs nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import Cli, write_manifest
from tests.e2e.pipelines_seed import DOCS, DOCS_ID, OTHER_REPO, PROJECT_ID, SLUG, manifest, seed


def _reads(world: Any, cli: Cli, path: Path) -> list[str]:
    world.reset_requests()
    run = cli("plan", path, "--detailed-exitcode")
    assert run.exit_code == 0, run.stdout + run.stderr
    return [r["path"] for r in world.requests()]


def test_definitions_cost_one_plus_d_reads_and_nothing_where_none_are_declared(
    emulator_factory: Any, tmp_path: Path
) -> None:
    world = emulator_factory(seed=seed(), tokens=(), page_size=2)
    cli = Cli(host=world.url)
    data = manifest()
    data["projects"][DOCS] = {"env_vars": {}}
    full = write_manifest(tmp_path / "full", data)
    assert cli("apply", full, "--auto-approve").exit_code == 0

    bare = manifest()
    bare["projects"][SLUG] = {"env_vars": {}}
    bare["projects"][DOCS] = {"env_vars": {}}
    baseline = _reads(world, cli, write_manifest(tmp_path / "bare", bare))
    assert not any("pipeline-definitions" in p for p in baseline)

    with_definitions = _reads(world, cli, full)
    d = len(data["projects"][SLUG]["pipeline_definitions"])
    extra = [p for p in with_definitions if "pipeline-definitions" in p]
    assert len(with_definitions) - len(baseline) <= 1 + d
    assert len(extra) == 1 + d and all(PROJECT_ID in p for p in extra)
    assert not any(DOCS_ID in p for p in with_definitions if "/projects/" in p)


def test_the_budget_holds_per_project_with_several_projects_and_triggers(
    emulator_factory: Any, tmp_path: Path
) -> None:
    world = emulator_factory(seed=seed(), tokens=(), page_size=2)
    cli = Cli(host=world.url)
    data = manifest()
    docs = {
        "config_source": {"provider": "circleci", "file_path": "docs.yml"},
        "checkout_source": {"repo": OTHER_REPO},
        "triggers": {"push": {"provider": "github_app", "event_preset": "all-pushes"}},
    }
    data["projects"][DOCS] = {
        "pipeline_definitions": {"site": docs, "preview": {**docs, "triggers": {}}}
    }
    full = write_manifest(tmp_path / "full", data)
    assert cli("apply", full, "--auto-approve").exit_code == 0

    bare = manifest()
    bare["projects"][SLUG] = {"env_vars": {}}
    bare["projects"][DOCS] = {"env_vars": {}}
    baseline = _reads(world, cli, write_manifest(tmp_path / "bare", bare))
    with_definitions = _reads(world, cli, full)
    budget = sum(1 + len(p["pipeline_definitions"]) for p in data["projects"].values())
    assert len(with_definitions) - len(baseline) <= budget
    for pid, project in ((PROJECT_ID, SLUG), (DOCS_ID, DOCS)):
        mine = [p for p in with_definitions if "pipeline-definitions" in p and pid in p]
        assert len(mine) == 1 + len(data["projects"][project]["pipeline_definitions"])
