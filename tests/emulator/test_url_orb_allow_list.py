"""The emulator's URL orb allow-list routes, over HTTP and checked against the spec by the
contract observer: list, create, delete, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator.seed import SeedError, build_world
from tests.support.contract import off_contract

ORG_ID = "7f1f1f4e-2c9b-4d5e-9a0b-1c2d3e4f5a6b"
MISSING = "0b6f2c1e-9f5a-4d59-8d0e-3a8f6f0c1d2e"
PREFIX = "https://raw.githubusercontent.com/acme/orbs/"
SEED = {
    "users": [
        {"login": "alice", "token": "alice-token", "organizations": ["gh/acme", "gh/off"]},
        {"login": "mallory", "token": "outsider-token", "organizations": ["gh/other"]},
    ],
    "organizations": {
        "gh/acme": {
            "id": ORG_ID,
            "url_orb_allow_list": {"seeded": {"prefix": PREFIX, "auth": "github-app"}},
        },
        "gh/off": {"features_off": ["url_orb_allow_list"]},
        "gh/other": {},
    },
}
BASE = "/organization/gh/acme/url-orb-allow-list"


def _call(emu: Any, method: str, path: str, status: int, **kwargs: Any) -> Any:
    return emu.answer(method, path, status, kwargs.pop("token", "alice-token"), **kwargs)


@pytest.fixture
def emu(emulator_factory: Any) -> Any:
    return emulator_factory(seed=SEED, tokens=())


def test_list_create_and_delete_by_slug_or_id(emu: Any) -> None:
    (seeded,) = _call(emu, "GET", BASE, 200)["items"]
    assert seeded == {"id": seeded["id"], "name": "seeded", "prefix": PREFIX, "auth": "github-app"}
    body = {"name": "more", "prefix": "https://orbs.example.com/", "auth": "none"}
    made = _call(emu, "POST", f"/organization/{ORG_ID}/url-orb-allow-list", 200, json=body)
    assert set(made) == {"id", "message"}
    names = [
        e["name"]
        for e in _call(emu, "GET", f"/organization/{ORG_ID}/url-orb-allow-list", 200)["items"]
    ]
    assert names == ["seeded", "more"]
    assert _call(emu, "DELETE", f"{BASE}/{made['id']}", 200)["id"] == made["id"]
    _call(emu, "DELETE", f"{BASE}/{made['id']}", 404)


def test_refusals(emu: Any, contract_observer: Any) -> None:
    def refused(body: dict[str, Any], words: str) -> None:
        assert words in _call(emu, "POST", BASE, 400, json=body)["message"]

    good = {"name": "new", "prefix": "https://orbs.example.com/", "auth": "none"}
    refused({**good, "prefix": "http://orbs.example.com/"}, "https")
    refused({**good, "prefix": "https://orbs.example.com/x"}, "end with '/'")
    refused({**good, "name": "seeded"}, "already exists")
    refused({**good, "name": " "}, "non-empty")
    with off_contract(contract_observer, "request-body at /auth"):
        refused({**good, "auth": "password"}, "must be one of")
    with off_contract(contract_observer, "request-body"):
        refused({"name": "new", "prefix": good["prefix"]}, "Missing")
    _call(emu, "DELETE", f"{BASE}/not-an-id", 400)
    _call(emu, "DELETE", f"{BASE}/{MISSING}", 404)
    _call(emu, "GET", BASE, 404, token="outsider-token")
    off = _call(emu, "GET", "/organization/gh/off/url-orb-allow-list", 403)
    assert "not available" in off["message"]
    _call(emu, "POST", "/organization/gh/off/url-orb-allow-list", 403, json=good)
    assert contract_observer is None or contract_observer.take_violations() == []


@pytest.mark.parametrize(
    "entries",
    [
        {"a": {"prefix": "http://x.example/"}},
        {"a": {"prefix": "https://x.example/", "auth": "password"}},
        {"a": {"prefix": "https://x.example/", "extra": 1}},
        ["https://x.example/"],
    ],
)
def test_a_bad_seed_is_refused(entries: Any) -> None:
    with pytest.raises(SeedError, match="url_orb_allow_list"):
        build_world({"organizations": {"gh/acme": {"url_orb_allow_list": entries}}}, [])
