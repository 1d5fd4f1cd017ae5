"""Restrictions export projects by slug, groups by name (ids where names cannot be read) and
expressions as written; when one cannot be named, none is written (hands-off)."""

from __future__ import annotations

from tests.resources.helpers import Export, context, fetched, project, restriction

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
