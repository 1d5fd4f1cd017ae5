"""Projects export under the slug CircleCI answers with; their collections are the kinds'."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.core import PlanContext
from reconciler.diff import compare
from reconciler.errors import NotFound
from reconciler.resources import REGISTRY
from tests.resources.helpers import Export, changes, client, desired, load, project, read_live
from tests.support.emulator_fixture import MakeEmulator

KIND = REGISTRY["project"]


def test_projects_are_members_by_the_slug_circleci_answers_with() -> None:
    web, api = project("gh/acme/web", "p2"), project("gh/acme/api", "p1")
    out = Export("project", None, [web, api]).result
    assert [key for key, _ in out.members] == ["gh/acme/api", "gh/acme/web"]
    assert out.value is None and out.notes == [] and out.before == []


def test_one_project_given_twice_is_written_once() -> None:
    first = project("gh/acme/api", "p1")
    again = project("gh/acme/API", "p1")
    again.ids["slug"] = "gh/acme/api"
    members = Export("project", None, [first, again]).result.members
    assert [key for key, _ in members] == ["gh/acme/api"]


# --- desired ------------------------------------------------------------------------------

STANDALONE_ORG = "circleci/DrNsW5SW6K42zooKCzkVek"
STANDALONE = f"{STANDALONE_ORG}/TR2eS1FtBshdqkgqtiiaDa"


def test_desired_projects_by_canonical_slug_followed_only_when_created(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        projects:
          github/acme/api: {create: true}
          gh/acme/web: {}
        """,
    )
    found, scopes = desired("project", manifest)
    assert list(found) == ["project[gh/acme/api]", "project[gh/acme/web]"]
    api, web = found.values()
    assert api.name == "gh/acme/api" and api.fields == {"followed": True}
    assert web.fields == {} and api.protect and web.protect  # projects are never deleted
    assert scopes == []  # a project outside the manifest is never touched


def test_desired_standalone_projects_have_no_follow(tmp_path: Path) -> None:
    manifest = load(tmp_path, f"projects:\n  {STANDALONE}: {{}}\n", org=STANDALONE_ORG)
    (found,) = desired("project", manifest)[0].values()
    assert found.address == f"project[{STANDALONE}]" and found.fields == {}


# --- normalise ----------------------------------------------------------------------------


def test_live_projects_carry_ids_and_whether_the_token_user_follows_them(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    emu = emulator_factory(seed={"organizations": {"gh/acme": {"projects": {"gh/acme/api": {}}}}})
    made = client(emu).create_project("gh/acme", "fresh")
    manifest = load(
        tmp_path,
        """
        projects:
          github/acme/api: {create: true}
          gh/acme/fresh: {create: true}
          gh/acme/missing: {create: true}
        """,
    )
    live = read_live(emu, manifest, "project")
    assert sorted(live) == ["project[gh/acme/api]", "project[gh/acme/fresh]"]  # missing: absent
    api, fresh = live["project[gh/acme/api]"], live["project[gh/acme/fresh]"]
    assert api.name == "gh/acme/api" and api.ids["slug"] == "gh/acme/api" and api.ids["id"]
    assert api.fields == {"followed": True}  # seeded projects are followed by their members
    assert fresh.ids["id"] == made["id"] and fresh.fields == {"followed": False}


def test_a_declared_project_circleci_lacks_stops_the_read_unless_created(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    manifest = load(tmp_path, "projects:\n  gh/acme/missing: {}\n")
    with pytest.raises(NotFound, match="set `create: true` to have apply create it"):
        read_live(emulator_factory(), manifest, "project")


def test_a_standalone_project_keeps_its_name(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    seed = {"organizations": {STANDALONE_ORG: {"projects": {STANDALONE: {"name": "app"}}}}}
    manifest = load(tmp_path, f"projects:\n  {STANDALONE}: {{}}\n", org=STANDALONE_ORG)
    (live,) = read_live(emulator_factory(seed=seed), manifest, "project").values()
    assert live.ids["name"] == "app" and live.ids["slug"] == STANDALONE and live.fields == {}


# --- compare ------------------------------------------------------------------------------


def test_an_unfollowed_project_is_followed_and_a_missing_one_created(tmp_path: Path) -> None:
    manifest = load(tmp_path, "projects:\n  gh/acme/api: {create: true}\n  gh/acme/web: {}\n")
    want = desired("project", manifest)[0]
    ctx = PlanContext(manifest=manifest)
    followed = project("gh/acme/api", "p1")
    followed.fields["followed"] = True
    assert changes(list(want.values()), [followed, project("gh/acme/web", "p2")], ctx) == []
    unfollowed = project("gh/acme/api", "p1")
    unfollowed.fields["followed"] = False
    assert compare(KIND, want["project[gh/acme/api]"], unfollowed, ctx).changed == ["followed"]
    assert changes(list(want.values()), [unfollowed], ctx) == [
        ("update", "project[gh/acme/api]", ["followed"]),
        ("create", "project[gh/acme/web]", []),
    ]
