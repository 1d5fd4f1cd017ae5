"""Restrictions export projects by slug, groups by name (ids where names cannot be read) and
expressions as written; when one cannot be named, none is written (hands-off)."""

from __future__ import annotations

from pathlib import Path

from reconciler.core import PlanContext, Resource, Scope
from reconciler.resources.names import is_uuid
from tests.resources.helpers import (
    Export,
    changes,
    child,
    context,
    desired,
    fetched,
    load,
    project,
    read_live,
    restriction,
)
from tests.support.emulator_fixture import MakeEmulator

PROD = context("prod", "c1")
PID, OTHER, GID = "p-1", "p-2", "g-1"


def test_each_kind_by_its_manifest_name() -> None:
    live = [
        restriction(PROD, "project", PID, "api"),
        restriction(PROD, "project", OTHER, "lib"),
        restriction(PROD, "group", GID, "devs"),
        restriction(PROD, "expression", 'pipeline.git.branch == "main"'),
    ]
    fetch = fetched(project_ids={"gh/acme/lib": OTHER}, groups={"devs": GID}, groups_read=True)
    api = project("gh/acme/api", PID)
    out = Export("context_restriction", PROD, live, also=(api,), fetch=fetch)
    assert out.text == (
        "restrictions:\n"
        "  expressions:\n"
        '    - pipeline.git.branch == "main"\n'
        "  groups:\n"
        "    - devs\n"
        "  projects:\n"
        "    - gh/acme/api\n"
        "    - gh/acme/lib\n"
    )
    assert out.result.notes == []


def test_group_ids_where_names_cannot_be_read() -> None:
    fetch = fetched()
    fetch.unreadable[(None, "groups")] = "HTTP 404: Not found"
    out = Export("context_restriction", PROD, [restriction(PROD, "group", GID)], fetch=fetch)
    assert out.text == f"restrictions:\n  groups:\n    - {GID}\n"
    assert out.result.notes == [
        "groups are shown by id: group names could not be read (HTTP 404: Not found)"
    ]


def test_one_that_cannot_be_named_leaves_the_list_alone() -> None:
    live = [restriction(PROD, "project", PID, "gone"), restriction(PROD, "expression", "true")]
    out = Export("context_restriction", PROD, live)
    assert out.text == ""
    assert out.result.notes == [
        "restrictions: left out, so left alone: a manifest cannot name these:",
        f"  - project id {PID} (name gone)",
        "  (also restricted to expression true)",
    ]


# --- desired ------------------------------------------------------------------------------

GID_UPPER = "5F1B2C3D-0000-4000-8000-0000000000AA"
RESTRICTED = f"""
contexts:
  prod:
    restrictions:
      projects: [github/acme/api]
      expressions: ['pipeline.git.branch == "main"']
      groups: [devs, {GID_UPPER}]
  open: {{}}
  closed:
    restrictions: {{}}
"""


def _address(name: str, parent: Resource = PROD) -> str:
    return f"{parent.address}.restriction[{name}]"


def test_desired_before_any_read_has_no_ids_and_scopes_each_written_list(tmp_path: Path) -> None:
    found, scopes = desired("context_restriction", load(tmp_path, RESTRICTED))
    gid = GID_UPPER.lower()  # ids compare in CircleCI's lower case
    assert found[_address("project:gh/acme/api")].fields == {
        "type": "project",
        "value": "gh/acme/api",
        "ref": None,  # the project's id is known only once it is read
    }
    assert found[_address('expression:pipeline.git.branch == "main"')].fields == {
        "type": "expression",
        "value": 'pipeline.git.branch == "main"',
    }
    assert found[_address("group:devs")].fields == {"type": "group", "value": "devs", "ref": "devs"}
    assert found[_address(f"group:{gid}")].fields == {"type": "group", "value": gid, "ref": gid}
    assert len(found) == 4
    assert scopes == [
        Scope("context[closed]", "context_restriction"),
        Scope("context[prod]", "context_restriction"),
    ]


def test_desired_after_the_read_holds_the_ids_it_learnt(tmp_path: Path) -> None:
    manifest = load(tmp_path, RESTRICTED)
    learnt = fetched(project_ids={"gh/acme/api": PID}, groups={"devs": GID}, groups_read=True)
    found, _ = desired(
        "context_restriction", manifest, PlanContext(manifest=manifest, fetch=learnt)
    )
    assert found[_address("project:gh/acme/api")].fields["ref"] == PID
    assert found[_address("group:devs")].fields == {"type": "group", "value": "devs", "ref": GID}


def test_a_group_written_by_its_id_is_named_when_the_name_is_known(tmp_path: Path) -> None:
    gid = "5f1b2c3d-0000-4000-8000-000000000001"
    manifest = load(
        tmp_path, f"contexts:\n  prod:\n    restrictions:\n      groups: [{gid.upper()}]\n"
    )
    learnt = fetched(groups={"devs": gid}, groups_read=True)
    found, _ = desired(
        "context_restriction", manifest, PlanContext(manifest=manifest, fetch=learnt)
    )
    assert list(found) == [_address("group:devs")]
    assert found[_address("group:devs")].fields["ref"] == gid


# --- normalise ----------------------------------------------------------------------------


def test_live_restrictions_named_by_project_slug_and_expression(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    expression = 'pipeline.git.branch == "main"'
    restrictions = {"projects": ["gh/acme/api"], "expressions": [expression]}
    seed = {
        "organizations": {
            "gh/acme": {
                "projects": {"gh/acme/api": {}},
                "contexts": {"prod": {"restrictions": restrictions}},
            }
        }
    }
    manifest = load(
        tmp_path,
        f"contexts:\n  prod:\n    restrictions:\n      projects: [github/acme/api]\n"
        f"      expressions: ['{expression}']\n",
    )
    live = read_live(emulator_factory(seed=seed), manifest, "context_restriction")
    assert sorted(live) == [_address(f"expression:{expression}"), _address("project:gh/acme/api")]
    api = live[_address("project:gh/acme/api")]
    assert api.fields["type"] == "project" and api.fields["value"] == "gh/acme/api"
    assert api.fields["ref"] and api.ids["id"]  # the project's id, and the restriction's
    assert live[_address(f"expression:{expression}")].fields == {
        "type": "expression",
        "value": expression,
    }


def test_live_group_restrictions_by_name_where_groups_are_listed(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    org = "circleci/DrNsW5SW6K42zooKCzkVek"
    seed = {
        "organizations": {
            org: {
                "groups": ["platform"],
                "contexts": {"prod": {"restrictions": {"groups": ["platform"]}}},
            }
        }
    }
    manifest = load(
        tmp_path, "contexts:\n  prod:\n    restrictions:\n      groups: [platform]\n", org=org
    )
    (live,) = read_live(emulator_factory(seed=seed), manifest, "context_restriction").values()
    assert live.address == _address("group:platform")
    assert live.fields["value"] == "platform" and is_uuid(live.fields["ref"])


def test_live_group_restrictions_by_id_where_groups_cannot_be_listed(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    gid = "5f1b2c3d-0000-4000-8000-000000000001"
    seed = {
        "organizations": {
            "gh/acme": {
                "groups": {"team": gid},
                "contexts": {"prod": {"restrictions": {"groups": ["team"]}}},
            }
        }
    }
    manifest = load(tmp_path, f"contexts:\n  prod:\n    restrictions:\n      groups: [{gid}]\n")
    (live,) = read_live(emulator_factory(seed=seed), manifest, "context_restriction").values()
    assert live.address == _address(f"group:{gid}")
    assert live.fields == {"type": "group", "value": gid, "ref": gid}


# --- compare ------------------------------------------------------------------------------


def _settled(rtype: str, value: str, ref: str | None = None) -> Resource:
    """A live restriction once its id is named."""
    fields = {"type": rtype, "value": value} | ({} if ref is None else {"ref": ref})
    return child(
        "context_restriction",
        PROD,
        "restriction",
        f"{rtype}:{value}",
        fields=fields,
        ids={"id": f"r-{value}"},
    )


def _planned(tmp_path: Path, have: list[Resource]) -> list[tuple[str, str, list[str]]]:
    manifest = load(
        tmp_path,
        """
        contexts:
          prod:
            restrictions: {projects: [gh/acme/api], expressions: [x == 1]}
        """,
    )
    ctx = PlanContext(manifest=manifest, fetch=fetched(project_ids={"gh/acme/api": PID}))
    want, scopes = desired("context_restriction", manifest, ctx)
    return changes(list(want.values()), have, ctx, scopes)


def test_the_same_restrictions_are_no_change(tmp_path: Path) -> None:
    assert (
        _planned(
            tmp_path, [_settled("project", "gh/acme/api", PID), _settled("expression", "x == 1")]
        )
        == []
    )


def test_a_project_made_again_under_the_same_slug_is_a_replace(tmp_path: Path) -> None:
    have = [_settled("project", "gh/acme/api", OTHER), _settled("expression", "x == 1")]
    assert _planned(tmp_path, have) == [("replace", _address("project:gh/acme/api"), ["ref"])]


def test_a_changed_expression_is_created_and_the_old_one_deleted(tmp_path: Path) -> None:
    have = [_settled("project", "gh/acme/api", PID), _settled("expression", "x == 2")]
    assert _planned(tmp_path, have) == [
        ("create", _address("expression:x == 1"), []),
        ("delete", _address("expression:x == 2"), []),
    ]
