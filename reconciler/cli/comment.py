"""`comment`: post a Markdown plan as one sticky pull-request comment on GitHub."""

from __future__ import annotations

import os
import sys
from typing import IO

import click

from reconciler.cli.app import err, handle_errors, main
from reconciler.errors import ReconcilerError


@main.command()
@click.argument("markdown", type=click.File("r", encoding="utf-8"))
@click.option("--repo", help="OWNER/NAME; default: from the CI's environment.")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number; default: from CI.")
@click.option(
    "--artifact-url", metavar="URL", help="Where the full plan is, linked when it is cut."
)
@click.option(
    "--key",
    default="plan",
    show_default=True,
    help="Names the comment: one sticky comment per key (e.g. one per manifest directory).",
)
@click.option(
    "--github-api",
    envvar="GITHUB_API_URL",
    default="https://api.github.com",
    show_default=True,
    help="GitHub's API root (GitHub Enterprise: https://HOST/api/v3); env GITHUB_API_URL.",
)
@click.option(
    "--author",
    metavar="LOGIN",
    help="Whose comment to edit; default: the token's user, or github-actions[bot] on Actions.",
)
@handle_errors
def comment(
    markdown: IO[str],
    repo: str | None,
    pr: int | None,
    artifact_url: str | None,
    key: str,
    github_api: str,
    author: str | None,
) -> None:
    """Create or update one pull-request comment holding MARKDOWN (a file, or - for stdin),
    typically the output of `plan --format markdown`.

    \b
    The token comes from GITHUB_TOKEN only (never a flag, so it stays out of process
    lists). The repository and pull request come from CircleCI (CIRCLE_PULL_REQUEST,
    CIRCLE_PROJECT_USERNAME/REPONAME) or GitHub Actions (GITHUB_REPOSITORY, the event
    payload, GITHUB_REF) unless --repo and --pr are given. A build with no pull request
    (a branch pushed before its PR was opened) posts nothing and exits 0.
    """
    from reconciler import github, prcomment

    text = markdown.read()
    found_repo, found_pr = prcomment.detect(os.environ)
    repo, pr = repo or found_repo, pr or found_pr
    if pr is None:
        err(
            "No pull request for this build (none given, none in the CI's environment): "
            "nothing posted."
        )
        return
    if not repo:
        raise ReconcilerError("no repository: pass --repo OWNER/NAME")
    repo = prcomment.check_repo(repo)
    if artifact_url:
        prcomment.check_artifact_url(artifact_url)
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        raise ReconcilerError(
            "GITHUB_TOKEN is not set: a token that may write pull-request comments is needed"
        )
    gh = github.GitHub(github_api, token)
    body = prcomment.body(text, key, artifact_url)
    if author is None:
        author = gh.login()
    if author is None and os.environ.get("GITHUB_ACTIONS") == "true":
        author = "github-actions[bot]"  # whose GITHUB_TOKEN cannot name itself
    if author is None:
        err(
            "Warning: the token's user is unknown (pass --author): "
            "any comment with the marker counts as ours."
        )
    action, posted = github.upsert(gh, repo, pr, prcomment.marker(key), body, author)
    where = posted.get("html_url") or f"{repo}#{pr}"
    click.echo(f"{action.capitalize()} the comment on {repo}#{pr}: {where}")
    sys.stdout.flush()
