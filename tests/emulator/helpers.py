"""Shared test helpers: a token-carrying HTTP client, recorded fixtures, shape comparison."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
ALICE = "alice-token"  # a seed user who belongs to gh/acme only

# Contract violations the emulator raises on purpose, because the live API answers so (the
# recordings and reconciler/emulator/README.md say where from); matched by substring.
SNAKE_VCS_TYPE = "'vcs-type' is missing"  # /me/collaborations sends vcs_type
DELETED_CONTEXT = "-> 403: response-status"  # GETs on a deleted context answer 403
NEWER_ROUTE = "method not in the spec for this path"  # GET /organization/{org}: newer spec


def standard_seed() -> dict[str, Any]:
    """gh/acme (alice and the factory's token) and gh/other (the factory's token only)."""
    return {
        "users": [{"login": "alice", "token": ALICE, "organizations": ["gh/acme"]}],
        "organizations": {
            "gh/acme": {
                "groups": ["platform", "release"],
                "projects": {
                    "gh/acme/api": {
                        "settings": {"build_fork_prs": True},
                        "env_vars": {"NPM_TOKEN": "s3cr3t-value"},
                        "checkout_keys": ["deploy-key"],
                    },
                    "gh/acme/web": {},
                },
                "contexts": {
                    "aws-prod": {
                        "env_vars": {"AWS_ACCESS_KEY_ID": "AKIA0000"},
                        "restrictions": {"projects": ["gh/acme/api"], "groups": ["platform"]},
                    }
                },
            },
            "gh/other": {"projects": {"gh/other/secret": {}}},
        },
    }


class Client:
    """requests with a base URL and a token header (None: no credentials at all)."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Circle-Token"] = token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


def fixtures_dir() -> Path:
    env = os.environ.get("CIRCLECI_API_FIXTURES")
    return Path(env) if env else REPO.parent / "shared" / "circleci-api" / "fixtures"


def recorded(name: str) -> dict[str, Any]:
    """A recorded exchange, read from the shared directory at test time (never copied here)."""
    path = fixtures_dir() / name
    if not path.is_file():
        message = f"recorded fixture {path} is missing (set CIRCLECI_API_FIXTURES)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively; a list is described by its first item."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None if value is None else type(value).__name__


def covers(ours: Any, theirs: Any, exact: bool = False, where: str = "body") -> None:
    """Ours has every key the recording has (exactly those keys when `exact`), with the same
    JSON types; null on either side matches anything (CircleCI's fields are often nullable)."""
    if ours is None or theirs is None:
        return
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{where}: expected an object"
        missing, extra = set(theirs) - set(ours), set(ours) - set(theirs)
        assert not missing, f"{where}: missing {sorted(missing)}"
        assert not (exact and extra), f"{where}: not in the recording {sorted(extra)}"
        for key, value in theirs.items():
            covers(ours[key], value, exact, f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), f"{where}: expected an array"
        if theirs and ours:
            covers(ours[0], theirs[0], exact, f"{where}[0]")
    else:
        assert shape(ours) == shape(theirs), f"{where}: {shape(ours)} != {shape(theirs)}"


def reproduces(resp: requests.Response, name: str, exact: bool = True) -> dict[str, Any]:
    """Status as recorded; a {"message"} body word for word; otherwise the same shape."""
    rec = recorded(name)
    want = rec["response"]
    if want["status"] is not None:
        assert resp.status_code == want["status"], resp.text
    body = want["body"]
    if isinstance(body, str):
        assert resp.text == body
    elif isinstance(body, dict) and set(body) == {"message"}:
        assert resp.json() == body
    else:
        covers(resp.json(), body, exact)
    return rec


@contextmanager
def off_spec(observer: Any, *expected: str) -> Iterator[None]:
    """Around exchanges that break the OpenAPI spec on purpose (a request a test malforms, or
    an answer recorded from the live API that the spec does not describe): contract
    violations raised inside that contain one of `expected` are dropped; any other fails."""
    take = getattr(observer, "take_violations", None)
    if take is None:
        yield
        return
    before = take()
    try:
        yield
    finally:
        seen = take()
        observer.restore(before)
        stray = [m for m in seen if not any(e in m for e in expected)]
        assert not stray, "unexpected contract violations:\n" + "\n".join(stray)
