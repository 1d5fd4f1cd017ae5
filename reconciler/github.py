"""The few GitHub REST routes a sticky pull-request comment needs: list, create, edit.

The token is sent only to the configured API root, over https (plain http only to a loopback
address, for tests); redirects are never followed and a pagination link to any other place is
refused, so the token cannot be carried elsewhere. No message repeats the token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler.client.config import check_token, is_loopback
from reconciler.errors import ReconcilerError

DEFAULT_API = "https://api.github.com"
MAX_PAGES = 100  # 10,000 comments at 100 a page: beyond that something loops
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(ReconcilerError):
    """GitHub refused a request or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def check_api_url(value: str) -> str:
    """An https API root (GitHub Enterprise adds a path such as /api/v3); http to loopback only.
    A refusal never repeats the value, which may hold a password."""
    url = urlsplit(value.strip())
    try:
        hostname = url.hostname
        url.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        hostname = None
    if "@" in url.netloc or url.query or url.fragment or not hostname:
        raise GitHubError(
            "the GitHub API URL must be a bare https URL such as https://api.github.com, "
            "without user name, password, query or fragment (from --github-api or GITHUB_API_URL)"
        )
    if url.scheme != "https" and not (url.scheme == "http" and is_loopback(hostname)):
        raise GitHubError(
            "the GitHub API URL must use https (plain http is accepted only to a loopback "
            "address); the GitHub token is never sent in clear"
        )
    return f"{url.scheme}://{url.netloc}{url.path.rstrip('/')}"


@dataclass
class GitHub:
    api: str
    token: str = field(repr=False)
    timeout: float = 30.0

    def __post_init__(self) -> None:
        self.api = check_api_url(self.api)
        check_token(self.token, "GITHUB_TOKEN")
        self.last_next: str | None = None
        self._http = requests.Session()
        self._http.trust_env = False  # no ~/.netrc credentials; proxies are set below
        self._http.proxies = requests.utils.get_environ_proxies(self.api)
        self._http.headers.update(
            {
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "circleci-reconciler",
            }
        )

    def _call(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        if not (url == self.api or url.startswith(self.api + "/")):
            raise GitHubError("GitHub sent a link to another host; the token was not sent there")
        path = url[len(self.api) :].split("?")[0]
        try:
            resp = self._http.request(
                method, url, json=body, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise GitHubError(f"{method} {path}: {type(exc).__name__}") from None
        if resp.status_code >= 300:
            raise GitHubError(
                f"{method} {path}: HTTP {resp.status_code}: {self._reason(resp)}", resp.status_code
            )
        self.last_next = self._next_link(resp)
        try:
            return resp.json()
        except ValueError:
            raise GitHubError(f"{method} {path}: GitHub's answer is not JSON") from None

    def _reason(self, resp: requests.Response) -> str:
        try:
            message = str(resp.json().get("message", ""))[:300]
        except (ValueError, AttributeError):
            message = ""
        message = message.replace(self.token, "***") or resp.reason or "refused"
        hint = {
            401: " (GITHUB_TOKEN is not valid)",
            403: " (the token may lack pull-request write access, or a fork's read-only token)",
            404: " (no such repository or pull request, or the token cannot see it)",
        }.get(resp.status_code, "")
        return message + hint

    @staticmethod
    def _next_link(resp: requests.Response) -> str | None:
        match = _NEXT.search(resp.headers.get("Link", ""))
        return match.group(1) if match else None

    def login(self) -> str | None:
        """The token's user; None for tokens that are no user's (an Actions GITHUB_TOKEN is
        an app installation's, refused here with 403)."""
        try:
            me = self._call("GET", f"{self.api}/user")
        except GitHubError as exc:
            if exc.status in (403, 404):
                return None
            raise
        return str(me["login"]) if isinstance(me, dict) and me.get("login") else None

    def comments(self, repo: str, pr: int) -> list[dict[str, Any]]:
        """Every comment of the pull request (its issue comments), following rel="next"."""
        url: str | None = f"{self.api}/repos/{repo}/issues/{pr}/comments?per_page=100"
        out: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return out
            page = self._call("GET", url)
            if not isinstance(page, list):
                raise GitHubError("GitHub's list of comments is not a list")
            out.extend(c for c in page if isinstance(c, dict))
            url = self.last_next
        raise GitHubError(f"more than {MAX_PAGES} pages of comments: stopped")

    def create(self, repo: str, pr: int, body: str) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo}/issues/{pr}/comments"
        result: dict[str, Any] = self._call("POST", url, {"body": body})
        return result

    def edit(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo}/issues/comments/{int(comment_id)}"
        result: dict[str, Any] = self._call("PATCH", url, {"body": body})
        return result


def upsert(
    gh: GitHub, repo: str, pr: int, marker: str, body: str, author: str | None
) -> tuple[str, dict[str, Any]]:
    """Edit our comment (its body starts with `marker` and, when `author` is known, that user
    wrote it), or create it: ("updated" | "created", the comment). Anyone can post a comment
    starting with the marker; taking theirs over would show our plan under their name, for
    them to edit later."""
    for comment in gh.comments(repo, pr):
        login = (comment.get("user") or {}).get("login")
        ours = author is None or login == author
        if ours and str(comment.get("body") or "").startswith(marker) and "id" in comment:
            return "updated", gh.edit(repo, int(comment["id"]), body)
    return "created", gh.create(repo, pr, body)
