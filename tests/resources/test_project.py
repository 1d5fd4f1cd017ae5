"""Projects export under the slug CircleCI answers with; their collections are the kinds'."""

from __future__ import annotations

from tests.resources.helpers import Export, project


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
