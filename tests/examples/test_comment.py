"""`comment`: one sticky pull-request comment, found again by its marker, over real HTTP to
the GitHub fake (tests/support/github_fake.py); the token goes nowhere else and is never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.github import GitHub, GitHubError
from reconciler.prcomment import body, detect, marker
from tests.support.github_fake import FakeGitHub

PLAN = "<!-- circleci-reconciler:plan organization=gh/acme -->\n## CircleCI plan\n\n+ one\n"


def run(fake: FakeGitHub, tmp_path: Path, *args: str, **env: str) -> Result:
    plan = tmp_path / "plan.md"
    if not plan.exists():
        plan.write_text(PLAN, encoding="utf-8")
    environ = {"GITHUB_TOKEN": fake.token, "GITHUB_API_URL": fake.url, **env}
    result = CliRunner().invoke(main, ["comment", str(plan), *args], env=environ)
    assert fake.token not in result.output
    return result


def test_a_second_run_edits_the_same_comment(github_fake: FakeGitHub, tmp_path: Path) -> None:
    github_fake.add("acme/infra", 7, "LGTM")
    first = run(github_fake, tmp_path, "--repo", "acme/infra", "--pr", "7")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Created the comment on acme/infra#7")
    (tmp_path / "plan.md").write_text(PLAN.replace("one", "two"), encoding="utf-8")
    second = run(github_fake, tmp_path, "--repo", "acme/infra", "--pr", "7")
    assert second.output.startswith("Updated the comment on acme/infra#7"), second.output
    comments = github_fake.on("acme/infra", 7)
    assert len(comments) == 2 and comments[0]["body"] == "LGTM"
    assert comments[1]["body"].startswith(marker("plan")) and "+ two" in comments[1]["body"]


def test_the_comment_is_found_on_a_later_page(github_fake: FakeGitHub, tmp_path: Path) -> None:
    github_fake.page_size_cap = 3
    for i in range(7):
        github_fake.add("acme/infra", 3, f"chatter {i}")
    github_fake.add("acme/infra", 3, marker("plan") + "\nold plan", login="bot")
    github_fake.add("acme/infra", 3, "more chatter")
    result = run(github_fake, tmp_path, "--repo", "acme/infra", "--pr", "3")
    assert result.exit_code == 0 and result.output.startswith("Updated"), result.output
    pages = [e["query"] for e in github_fake.log if e["path"].endswith("/comments")]
    assert len(pages) == 3 and "page=3" in pages[-1]
    assert len(github_fake.on("acme/infra", 3)) == 9


def test_keys_name_separate_comments(github_fake: FakeGitHub, tmp_path: Path) -> None:
    for key in ("plan", "staging", "plan"):
        assert run(github_fake, tmp_path, "--repo", "a/b", "--pr", "1", "--key", key).exit_code == 0
    assert len(github_fake.on("a/b", 1)) == 2


def test_circleci_environment(github_fake: FakeGitHub, tmp_path: Path) -> None:
    env = {
        "CIRCLE_PROJECT_USERNAME": "acme",
        "CIRCLE_PROJECT_REPONAME": "infra",
        "CIRCLE_PULL_REQUEST": "https://github.com/acme/infra/pull/42",
    }
    assert run(github_fake, tmp_path, **env).exit_code == 0
    assert len(github_fake.on("acme/infra", 42)) == 1
    assert detect({"CIRCLE_PROJECT_USERNAME": "a", "CIRCLE_PROJECT_REPONAME": "b"}) == ("a/b", None)


def test_actions_environment(github_fake: FakeGitHub, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 9}}), encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/infra"}
    assert run(github_fake, tmp_path, GITHUB_EVENT_PATH=str(event), **env).exit_code == 0
    assert len(github_fake.on("acme/infra", 9)) == 1
    assert detect({**env, "GITHUB_REF": "refs/pull/12/merge"}) == ("acme/infra", 12)


def test_no_pull_request_posts_nothing(github_fake: FakeGitHub, tmp_path: Path) -> None:
    result = run(github_fake, tmp_path, CIRCLE_PROJECT_USERNAME="a", CIRCLE_PROJECT_REPONAME="b")
    assert result.exit_code == 0 and "nothing posted" in result.output
    assert github_fake.log == []


def test_a_large_plan_is_cut_with_a_link_to_the_artifact(
    github_fake: FakeGitHub, tmp_path: Path
) -> None:
    rows = "\n".join(
        f"<details><summary>change {i}</summary>\n\nbody {i}\n\n</details>\n" for i in range(4000)
    )
    (tmp_path / "plan.md").write_text(PLAN + "\n### Changes\n\n" + rows, encoding="utf-8")
    url = "https://output.circle-artifacts.com/output/job/1/artifacts/0/plan.md"
    result = run(github_fake, tmp_path, "--repo", "a/b", "--pr", "2", "--artifact-url", url)
    assert result.exit_code == 0, result.output
    (posted,) = github_fake.on("a/b", 2)
    text = posted["body"]
    assert len(text.encode()) <= 65_536
    assert text.rstrip().endswith(f"see [the full plan]({url}).")
    assert text.count("<details>") == text.count("</details>")


def test_long_sections_are_collapsed() -> None:
    notes = "\n".join(f"- note {i}" for i in range(30))
    text = body(PLAN + "\n### Notes\n\n" + notes + "\n", "plan", None)
    assert "<details><summary>Notes (30 lines)</summary>" in text
    assert "### Notes" not in text


def test_the_token_is_not_shown_on_refusal(github_fake: FakeGitHub, tmp_path: Path) -> None:
    result = run(github_fake, tmp_path, "--repo", "a/b", "--pr", "1", GITHUB_TOKEN="wrong-tok3n")
    assert result.exit_code == 1
    assert "HTTP 401: Bad credentials (GITHUB_TOKEN is not valid)" in result.output
    assert "wrong-tok3n" not in result.output


def test_no_token_no_request(github_fake: FakeGitHub, tmp_path: Path) -> None:
    result = run(github_fake, tmp_path, "--repo", "a/b", "--pr", "1", GITHUB_TOKEN="")
    assert result.exit_code == 1 and "GITHUB_TOKEN is not set" in result.output
    assert github_fake.log == []


@pytest.mark.parametrize(
    "api",
    [
        "http://api.github.example",  # plain http off loopback
        "https://user:pw@api.github.com",
        "ftp://127.0.0.1",
        "https://api.github.com?x=1",
    ],
)
def test_the_token_goes_only_to_an_https_api(api: str) -> None:
    with pytest.raises(GitHubError) as caught:
        GitHub(api, "tok")
    assert "pw" not in str(caught.value)


def test_a_pagination_link_to_another_host_is_not_followed(github_fake: FakeGitHub) -> None:
    gh = GitHub(github_fake.url, github_fake.token)
    with pytest.raises(GitHubError, match="another host"):
        gh._call("GET", "https://evil.example/repos/a/b/issues/1/comments")


def test_a_bad_repository_is_refused(github_fake: FakeGitHub, tmp_path: Path) -> None:
    result = run(github_fake, tmp_path, "--repo", "a/../../x", "--pr", "1")
    assert result.exit_code == 1 and "OWNER/NAME" in result.output
    assert github_fake.log == []


def test_a_marker_planted_by_someone_else_is_not_taken_over(
    github_fake: FakeGitHub, tmp_path: Path
) -> None:
    planted = github_fake.add("a/b", 4, marker("plan") + "\nall good, merge it", login="mallory")
    for _ in range(2):
        assert run(github_fake, tmp_path, "--repo", "a/b", "--pr", "4").exit_code == 0
    first, ours = github_fake.on("a/b", 4)
    assert first is planted and first["body"].endswith("all good, merge it")
    assert ours["user"]["login"] == "bot" and "+ one" in ours["body"]


def test_an_actions_token_edits_the_bots_comment(github_fake: FakeGitHub, tmp_path: Path) -> None:
    github_fake.login = None  # GITHUB_TOKEN belongs to an app: /user is refused
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "a/b", "GITHUB_REF": "refs/pull/6/merge"}
    for _ in range(2):
        result = run(github_fake, tmp_path, **env)
        assert result.exit_code == 0, result.output
        assert "Warning" not in result.output
    (only,) = github_fake.on("a/b", 6)
    assert only["user"]["login"] == "github-actions[bot]"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://x/a) [b](https://y", "ftp://x"])
def test_an_artifact_url_that_is_not_one_link_is_refused(
    github_fake: FakeGitHub, tmp_path: Path, url: str
) -> None:
    result = run(github_fake, tmp_path, "--repo", "a/b", "--pr", "1", "--artifact-url", url)
    assert result.exit_code == 1 and "--artifact-url must be" in result.output
    assert github_fake.log == []
