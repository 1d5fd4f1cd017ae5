"""The emulator's OIDC custom claims routes, over HTTP and checked against the spec by the
contract observer: answers, the server's own audience order and TTL spelling, and every
refusal in the `{"error": ...}` family."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from reconciler.emulator.handlers.oidc_claims import go_duration, ttl_ms
from reconciler.emulator.seed import SeedError, build_world
from tests.support.contract import off_contract

ORG_ID = "7f1f1f4e-2c9b-4d5e-9a0b-1c2d3e4f5a6b"
OFF_ID = "1d6e3c1a-7f2b-4c8d-9e0f-a1b2c3d4e5f6"
PROJECT_ID = "0d9a3c7e-8b6f-4a21-9c3d-5e7f1a2b3c4d"
MISSING = "0b6f2c1e-9f5a-4d59-8d0e-3a8f6f0c1d2e"
SEED = {
    "users": [
        {"login": "alice", "token": "alice-token", "organizations": ["gh/acme", "gh/off"]},
        {"login": "mallory", "token": "outsider-token", "organizations": ["gh/other"]},
    ],
    "organizations": {
        "gh/acme": {
            "id": ORG_ID,
            "oidc_claims": {"audience": ["one", "two"], "ttl": "90m"},
            "projects": {"gh/acme/api": {"id": PROJECT_ID, "oidc_claims": {"ttl": "30m"}}},
        },
        "gh/off": {"id": OFF_ID, "features_off": ["oidc_custom_claims"]},
        "gh/other": {},
    },
}


def _call(emu: Any, method: str, path: str, status: int, **kwargs: Any) -> Any:
    return emu.answer(method, path, status, kwargs.pop("token", "alice-token"), **kwargs)


@pytest.fixture
def emu(emulator_factory: Any) -> Any:
    return emulator_factory(seed=SEED, tokens=())


def test_seeded_claims_are_answered_in_the_servers_own_way(emu: Any) -> None:
    org = _call(emu, "GET", f"/org/{ORG_ID}/oidc-custom-claims", 200)
    assert org["org_id"] == ORG_ID and "project_id" not in org
    assert org["audience"] == ["two", "one"]  # not the order written
    assert org["ttl"] == "1h30m0s"  # Go's spelling
    project = _call(emu, "GET", f"/org/{ORG_ID}/project/{PROJECT_ID}/oidc-custom-claims", 200)
    assert project == {
        "org_id": ORG_ID,
        "project_id": PROJECT_ID,
        "ttl": "30m0s",
        "ttl_updated_at": project["ttl_updated_at"],
    }


def test_patch_sets_what_it_names_and_delete_unsets(emu: Any) -> None:
    path = f"/org/{ORG_ID}/project/{PROJECT_ID}/oidc-custom-claims"
    patched = _call(emu, "PATCH", path, 200, json={"audience": ["sts.amazonaws.com"]})
    assert patched["audience"] == ["sts.amazonaws.com"] and patched["ttl"] == "30m0s"
    deleted = _call(emu, "DELETE", path, 200, params={"claims": "audience,ttl"})
    assert "audience" not in deleted and "ttl" not in deleted
    assert deleted["audience_updated_at"] and deleted["ttl_updated_at"]  # they stay
    assert _call(emu, "PATCH", path, 200, json={"ttl": "61000ms"})["ttl"] == "1m1s"


def test_refusals(emu: Any, contract_observer: Any) -> None:
    path = f"/org/{ORG_ID}/oidc-custom-claims"
    with off_contract(contract_observer, "request-query at claims: required"):
        assert _call(emu, "DELETE", path, 400) == {"error": "Claims: cannot be blank."}
    assert "valid values" in _call(emu, "DELETE", path, 400, params={"claims": "sub"})["error"]
    assert "unknown unit" in _call(emu, "PATCH", path, 400, json={"ttl": "1d"})["error"]
    assert "between 1m and 24h" in _call(emu, "PATCH", path, 400, json={"ttl": "25h"})["error"]
    assert "between 1m and 24h" in _call(emu, "PATCH", path, 400, json={"ttl": "30s"})["error"]
    assert "blank" in _call(emu, "PATCH", path, 400, json={"audience": []})["error"]
    assert "Unexpected" in _call(emu, "PATCH", path, 400, json={"sub": "x"})["error"]
    assert _call(emu, "PATCH", path, 400, json={})["error"]
    with off_contract(contract_observer, "request-body at /ttl"):
        _call(emu, "PATCH", path, 400, json={"ttl": "1.5h"})  # the spec's pattern refuses it
    with off_contract(contract_observer, "request-path at orgID"):
        assert _call(emu, "GET", "/org/not-a-uuid/oidc-custom-claims", 400) == {
            "error": "OrgID: must be a valid UUID."
        }
    assert _call(emu, "GET", path, 403, token="outsider-token") == {"error": "Forbidden"}
    assert _call(emu, "GET", f"/org/{MISSING}/oidc-custom-claims", 403) == {"error": "Forbidden"}
    other_project = f"/org/{OFF_ID}/project/{PROJECT_ID}/oidc-custom-claims"
    assert _call(emu, "GET", other_project, 403) == {"error": "Forbidden"}
    off = _call(emu, "GET", f"/org/{OFF_ID}/oidc-custom-claims", 403)
    assert "not available" in off["error"]
    assert contract_observer is None or contract_observer.take_violations() == []


def test_a_refused_patch_changes_nothing(emu: Any) -> None:
    """A valid audience beside a refused TTL is not stored: the request is refused whole."""
    path = f"/org/{ORG_ID}/oidc-custom-claims"
    before = _call(emu, "GET", path, 200)
    _call(emu, "PATCH", path, 400, json={"audience": ["new.example.com"], "ttl": "25h"})
    assert _call(emu, "GET", path, 200) == before


def test_injected_500s_are_worded_as_these_routes_word_errors(
    emulator_factory: Any,
) -> None:
    emu = emulator_factory(seed=SEED, tokens=())
    emu.fault("status=500,route=/api/v2/org/*")
    got = requests.get(
        f"{emu.api}/org/{ORG_ID}/oidc-custom-claims",
        headers={"Circle-Token": "alice-token"},
        timeout=10,
    )
    assert (got.status_code, got.json()) == (500, {"error": "unexpected server error"})


def test_a_refused_token_is_worded_as_these_routes_word_errors(
    emu: Any, contract_observer: Any
) -> None:
    """ENDPOINTS.md §1.3: `{"error": "Unauthorized"}` (the spec declares no 401 here)."""
    paths = (f"/org/{ORG_ID}/oidc-custom-claims", f"/owner/{ORG_ID}/context/config/policy-bundle")
    with off_contract(contract_observer, "response-status"):
        for path in paths:
            got = requests.get(emu.api + path, headers={"Circle-Token": "not-a-token"}, timeout=10)
            assert (got.status_code, got.json()) == (401, {"error": "Unauthorized"})


def test_go_spelling_and_bounds() -> None:
    assert [go_duration(ms) for ms in (60_000, 5_400_000, 61_000, 3_600_500, 500)] == [
        "1m0s",
        "1h30m0s",
        "1m1s",
        "1h0m0.5s",
        "500ms",
    ]
    assert ttl_ms("1h30m") == ttl_ms("90m") == 5_400_000
    for bad in ("1d", "1w", "1.5h", "59s", "24h1ms", "1m500ms", "", "h"):
        with pytest.raises(ValueError):
            ttl_ms(bad)


@pytest.mark.parametrize(
    ("org", "message"),
    [
        ({"features_off": ["no_such_feature"]}, "unknown feature"),
        ({"features_off": "oidc_custom_claims"}, "list of feature names"),
        ({"oidc_claims": {"ttl": "1d"}}, "ttl a duration from 1m to 24h"),
        ({"oidc_claims": {"sub": "x"}}, "mapping of audience and ttl"),
    ],
)
def test_a_bad_seed_is_refused(org: dict[str, Any], message: str) -> None:
    with pytest.raises(SeedError, match=message):
        build_world({"organizations": {"gh/acme": org}}, [])
