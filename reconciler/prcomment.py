"""What a sticky pull-request comment holds, and which pull request the CI run belongs to.

The body is the Markdown plan behind a hidden marker line, with long sections collapsed and
the whole cut to GitHub's size limit with a link to the full plan. The pull request comes from
the CI's own environment: CircleCI (`CIRCLE_PULL_REQUEST`, `CIRCLE_PROJECT_*`) or GitHub
Actions (`GITHUB_REPOSITORY`, the event payload, `GITHUB_REF`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import ReconcilerError
from reconciler.render.mdutil import COMMENT_LIMIT, size

COLLAPSE_LINES = 15  # a section longer than this is folded into <details>
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_KEY = re.compile(r"[^A-Za-z0-9_.:/-]")
_PULL_URL = re.compile(r"/pull/(\d+)/?$")
_PULL_REF = re.compile(r"^refs/pull/(\d+)/")


def marker(key: str) -> str:
    """The first line of the comment, by which the next run finds it."""
    return f"<!-- circleci-reconciler:comment {_KEY.sub('_', key).replace('--', '-_')} -->"


def collapse(markdown: str, limit: int = COLLAPSE_LINES) -> str:
    """Fold each `###` section longer than `limit` lines that has no <details> of its own."""
    out: list[str] = []
    sections = re.split(r"(?m)^(?=### )", markdown)
    for section in sections:
        title, _, body = section.partition("\n")
        lines = body.strip("\n").splitlines()
        if title.startswith("### ") and len(lines) > limit and "<details>" not in body:
            head = f"{title[4:]} ({len(lines)} lines)"
            section = f"<details><summary>{head}</summary>\n\n{body.strip()}\n\n</details>\n\n"
        out.append(section)
    return "".join(out)


def truncate(markdown: str, budget: int, artifact_url: str | None) -> str:
    """Cut at a line boundary within `budget` bytes, close an open <details>, say where the
    rest is."""
    link = f"[the full plan]({artifact_url})" if artifact_url else "the job's artifacts"
    tail = f"\n\n**Plan truncated** to fit GitHub's comment size limit: see {link}.\n"
    if size(markdown) <= budget:
        return markdown
    room = budget - size(tail) - len("\n</details>\n") * 4
    kept: list[str] = []
    used = 0
    for text in markdown.splitlines():
        used += size(text) + 1
        if used > room:
            break
        kept.append(text)
    body = "\n".join(kept)
    body += "\n\n</details>" * max(0, body.count("<details>") - body.count("</details>"))
    return body + tail


def body(markdown: str, key: str, artifact_url: str | None, limit: int = COMMENT_LIMIT) -> str:
    head = marker(key) + "\n"
    text = collapse(markdown)
    if artifact_url and "not shown here" in text:
        text += f"\nThe full plan: [{artifact_url}]({artifact_url})\n"
    return head + truncate(text, limit - size(head) - 200, artifact_url)


def check_artifact_url(url: str) -> str:
    """An http(s) URL that stays one Markdown link target (no spaces, brackets or quotes)."""
    if not re.fullmatch(r"https?://[^\s()<>\[\]\"'`]+", url):
        raise ReconcilerError("--artifact-url must be an http(s) URL without spaces or brackets")
    return url


def check_repo(repo: str) -> str:
    if not _REPO.match(repo) or {".", ".."} & set(repo.split("/")):
        raise ReconcilerError(f"the repository must be written OWNER/NAME, not {repo[:100]!r}")
    return repo


def _actions_pr(env: Mapping[str, str]) -> int | None:
    event = env.get("GITHUB_EVENT_PATH")
    if event and Path(event).is_file():
        try:
            payload = json.loads(Path(event).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            payload = {}
        number = (payload.get("pull_request") or {}).get("number")
        if isinstance(number, int):
            return number
    match = _PULL_REF.match(env.get("GITHUB_REF", ""))
    return int(match.group(1)) if match else None


def detect(env: Mapping[str, str]) -> tuple[str | None, int | None]:
    """(repository, pull request number) from the CI's environment; None where unknown."""
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_REPOSITORY"):
        return env.get("GITHUB_REPOSITORY"), _actions_pr(env)
    repo = None
    if env.get("CIRCLE_PROJECT_USERNAME") and env.get("CIRCLE_PROJECT_REPONAME"):
        repo = f"{env['CIRCLE_PROJECT_USERNAME']}/{env['CIRCLE_PROJECT_REPONAME']}"
    # CIRCLE_PULL_REQUEST is the PR's URL; CIRCLE_PR_NUMBER is set for forked PRs only.
    match = _PULL_URL.search(env.get("CIRCLE_PULL_REQUEST", ""))
    number = match.group(1) if match else env.get("CIRCLE_PR_NUMBER", "")
    return repo, int(number) if number.isdigit() else None
