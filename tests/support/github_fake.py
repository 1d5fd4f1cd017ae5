"""A local fake of the GitHub REST routes `comment` uses, over real HTTP on 127.0.0.1.

Routes: the token's user (`/user`, refused for an app's token as GitHub does), list a pull
request's comments (paged by `per_page`/`page`, with a `Link` header as
GitHub sends it), create one, edit one. Every request is logged with its headers so tests
can check where the token went. `github_fake` is the pytest fixture.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_EDIT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


@dataclass
class FakeGitHub:
    token: str = "ghp-fake-token-0123456789"
    login: str | None = "bot"  # the token's user; None: an app's token, refused on /user
    page_size_cap: int = 100  # GitHub's own cap on per_page
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "repo#pr" -> list
    log: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _next_id: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, repo: str, pr: int, body: str, login: str = "someone") -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            comment = {
                "id": self._next_id,
                "body": body,
                "user": {"login": login},
                "html_url": f"https://github.example/{repo}/pull/{pr}#c{self._next_id}",
            }
            self.comments.setdefault(f"{repo}#{pr}", []).append(comment)
            return comment

    def on(self, repo: str, pr: int) -> list[dict[str, Any]]:
        return self.comments.get(f"{repo}#{pr}", [])

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        url = urlsplit(target)
        self.log.append({"method": method, "path": url.path, "query": url.query, **headers})
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        if method == "GET" and url.path == "/user":
            if self.login is None:
                return 403, {"message": "Resource not accessible by integration"}, {}
            return 200, {"login": self.login}, {}
        if method == "GET" and (m := _LIST.match(url.path)):
            query = parse_qs(url.query)
            per = min(int(query.get("per_page", ["30"])[0]), self.page_size_cap)
            page = int(query.get("page", ["1"])[0])
            items = self.on(m.group(1), int(m.group(2)))
            extra = {}
            if page * per < len(items):
                nxt = f"{self.url}{url.path}?per_page={per}&page={page + 1}"
                extra["Link"] = f'<{nxt}>; rel="next", <{self.url}{url.path}>; rel="first"'
            return 200, items[(page - 1) * per : page * per], extra
        if method == "POST" and (m := _LIST.match(url.path)):
            author = self.login or "github-actions[bot]"
            return 201, self.add(m.group(1), int(m.group(2)), json.loads(body)["body"], author), {}
        if method == "PATCH" and (m := _EDIT.match(url.path)):
            for items in self.comments.values():
                for comment in items:
                    if comment["id"] == int(m.group(2)):
                        comment["body"] = json.loads(body)["body"]
                        return 200, comment, {}
        return 404, {"message": "Not Found"}, {}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload, extra = self.fake.answer(self.command, self.path, headers, body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def github_fake() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
