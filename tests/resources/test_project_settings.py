"""Settings export the booleans this tool manages; anything else is a note, `oss` nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.core import PlanContext, Resource
from reconciler.diff import compare
from reconciler.resources import REGISTRY
from tests.resources.helpers import Export, changes, child, desired, load, project, read_live
from tests.support.emulator_fixture import MakeEmulator

API = project("gh/acme/api", "p1")
KIND = REGISTRY["project_settings"]


def test_managed_settings_are_written_and_others_noted() -> None:
    fields = {
        "build_fork_prs": True,
        "pr_only_branch_overrides": ["main", "dev"],
        "brand_new_toggle": True,
        "set_github_status": "yes",
        "oss": True,
    }
    out = Export(
        "project_settings",
        API,
        [child("project_settings", API, "settings", "settings", fields=fields)],
    )
    assert out.text == (
        "settings:\n  build_fork_prs: true\n  pr_only_branch_overrides: [dev, main]\n"
    )
    assert out.result.notes == [
        "setting brand_new_toggle is reported by CircleCI but not managed by this tool",
        "setting set_github_status has an unexpected value in CircleCI; left out",
    ]


# --- desired ------------------------------------------------------------------------------


def test_desired_only_the_keys_written_and_never_a_scope(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        projects:
          gh/acme/api:
            settings:
              build_fork_prs: false
              pr_only_branch_overrides: [main, dev]
          gh/acme/web: {}
          gh/acme/lib:
            settings: {}
        """,
    )
    found, scopes = desired("project_settings", manifest)
    assert list(found) == [f"{API.address}.settings"]  # `settings: {}` manages nothing
    settings = found[f"{API.address}.settings"]
    assert settings.fields == {"build_fork_prs": False, "pr_only_branch_overrides": ["main", "dev"]}
    assert settings.parent == API.address and settings.protect  # never deleted
    assert scopes == []  # a partial object: keys left out are left alone


# --- normalise ----------------------------------------------------------------------------


def test_live_settings_are_every_key_circleci_reports(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    settings = {"build_fork_prs": True, "pr_only_branch_overrides": ["dev", "main"]}
    seed = {"organizations": {"gh/acme": {"projects": {"gh/acme/api": {"settings": settings}}}}}
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    settings: {build_fork_prs: true}\n")
    live = read_live(emulator_factory(seed=seed), manifest, "project_settings")
    fields = live[f"{API.address}.settings"].fields
    assert fields["build_fork_prs"] is True and fields["pr_only_branch_overrides"] == [
        "dev",
        "main",
    ]
    assert {"oss", "set_github_status", "disable_ssh"} <= set(fields)  # snake_case, flat
    assert all(isinstance(v, bool) for k, v in fields.items() if k != "pr_only_branch_overrides")


# --- compare ------------------------------------------------------------------------------

LIVE = {
    "build_fork_prs": False,
    "disable_ssh": True,
    "oss": True,
    "pr_only_branch_overrides": ["dev", "main"],
}


def _settings(tmp_path: Path, **changed: Any) -> tuple[Resource, Resource, PlanContext]:
    manifest = load(
        tmp_path,
        "projects:\n  gh/acme/api:\n    settings:\n"
        "      build_fork_prs: false\n      pr_only_branch_overrides: [main, dev]\n",
    )
    want = desired("project_settings", manifest)[0][f"{API.address}.settings"]
    have = child("project_settings", API, "settings", None, fields={**LIVE, **changed})
    return want, have, PlanContext(manifest=manifest)


def test_equal_keys_in_another_order_are_no_change_and_unwritten_keys_are_ignored(
    tmp_path: Path,
) -> None:
    want, have, ctx = _settings(tmp_path)
    assert compare(KIND, want, have, ctx).changed == []
    assert changes([want], [have], ctx) == []


@pytest.mark.parametrize(
    "field, value",
    [("build_fork_prs", True), ("pr_only_branch_overrides", ["main"]), ("build_fork_prs", None)],
)
def test_each_written_key_that_differs_is_an_update(tmp_path: Path, field: str, value: Any) -> None:
    want, have, ctx = _settings(tmp_path, **{field: value})
    assert changes([want], [have], ctx) == [("update", want.address, [field])]
