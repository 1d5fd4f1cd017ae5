"""Opaque page tokens across pages, and the ways CircleCI takes (or refuses) a token."""

from __future__ import annotations

import requests

from tests.emulator.helpers import Client, off_spec

SEED = {
    "organizations": {
        "gh/acme": {
            "projects": {"gh/acme/api": {"env_vars": {f"VAR_{i}": f"value-{i}" for i in range(5)}}},
            "contexts": {
                f"ctx-{i}": {"env_vars": {f"K{j}": "v" for j in range(3)}} for i in range(5)
            },
        }
    }
}


def read_all(api: Client, path: str, **params: str) -> tuple[list[dict], list[str | None]]:
    items, tokens, token = [], [], None
    while True:
        query = dict(params, **({"page-token": token} if token else {}))
        body = api.get(path, params=query).json()
        assert set(body) == {"items", "next_page_token"}
        items += body["items"]
        token = body["next_page_token"]
        tokens.append(token)
        if token is None:
            return items, tokens


def test_lists_that_take_page_token_are_read_in_pages(emulator_factory):
    emu = emulator_factory(seed=SEED, page_size=2)
    api = Client(emu.api, emu.token)
    contexts, tokens = read_all(api, "/context", **{"owner-slug": "gh/acme"})
    assert [c["name"] for c in contexts] == [f"ctx-{i}" for i in range(5)]
    assert len(tokens) == 3 and tokens[-1] is None and len(set(tokens[:-1])) == 2
    assert all("ctx" not in t and not t.isdigit() for t in tokens[:-1])  # opaque
    variables, tokens = read_all(api, f"/context/{contexts[0]['id']}/environment-variable")
    assert [v["variable"] for v in variables] == ["K0", "K1", "K2"] and len(tokens) == 2
    # page_size from the config: one page when it is large enough
    big = emulator_factory(seed=SEED, page_size=50)
    body = Client(big.api, big.token).get("/context", params={"owner-slug": "gh/acme"}).json()
    assert len(body["items"]) == 5 and body["next_page_token"] is None


def test_lists_without_a_page_token_parameter_come_whole(emulator_factory):
    # Project env vars, checkout keys, webhooks and restrictions: the spec sends
    # next_page_token but takes no page-token, so everything comes in one page.
    emu = emulator_factory(seed=SEED, page_size=2)
    body = Client(emu.api, emu.token).get("/project/gh/acme/api/envvar").json()
    assert [v["name"] for v in body["items"]] == [f"VAR_{i}" for i in range(5)]
    assert body["next_page_token"] is None


def test_garbled_or_foreign_page_tokens_are_400(emulator_factory, contract_observer):
    emu = emulator_factory(seed=SEED, page_size=2)
    api = Client(emu.api, emu.token)
    first = api.get("/context", params={"owner-slug": "gh/acme"}).json()["items"][0]
    token = api.get(f"/context/{first['id']}/environment-variable").json()["next_page_token"]
    with off_spec(contract_observer, "-> 400: response-status"):
        for bad in ("garbage", token + "x", token[:-2]):
            resp = api.get("/context", params={"owner-slug": "gh/acme", "page-token": bad})
            assert resp.status_code == 400, bad
            assert resp.json() == {"message": "Invalid page token."}
        # A token from a context's env var list means nothing to the context list.
        resp = api.get("/context", params={"owner-slug": "gh/acme", "page-token": token})
        assert resp.status_code == 400


def test_header_bearer_and_basic_auth_all_work(emulator, contract_observer):
    url = emulator.api + "/me"
    by_header = requests.get(url, headers={"Circle-Token": emulator.token}, timeout=10)
    by_basic = requests.get(url, auth=(emulator.token, ""), timeout=10)
    # Bearer is in CircleCI's guide (2026), not in the saved spec's security schemes.
    with off_spec(contract_observer, "request-security"):
        bearer = {"Authorization": f"Bearer {emulator.token}"}
        by_bearer = requests.get(url, headers=bearer, timeout=10)
    assert by_header.status_code == by_basic.status_code == by_bearer.status_code == 200
    assert by_header.json() == by_basic.json() == by_bearer.json()


def test_missing_invalid_and_query_tokens(emulator, contract_observer):
    with off_spec(contract_observer, "request-security"):
        missing = requests.get(emulator.api + "/me", timeout=10)
        empty_bearer = requests.get(
            emulator.api + "/me", headers={"Authorization": "Bearer "}, timeout=10
        )
        query = requests.get(
            emulator.api + "/me", params={"circle-token": emulator.token}, timeout=10
        )
    assert missing.status_code == 401 and missing.json() == {"message": "You must log in first."}
    assert empty_bearer.status_code == 401
    invalid = requests.get(emulator.api + "/me", headers={"Circle-Token": "nope"}, timeout=10)
    assert invalid.status_code == 401 and invalid.json() == {"message": "Invalid token provided."}
    assert query.status_code == 401 and "deprecated" in query.json()["message"]
    # v1.1 still takes the query parameter.
    v1 = requests.get(
        emulator.url + "/api/v1.1/me", params={"circle-token": emulator.token}, timeout=10
    )
    assert v1.status_code == 200


def test_unknown_routes_and_methods(emulator, contract_observer):
    api = Client(emulator.api, emulator.token)
    with off_spec(contract_observer, "request-route"):
        assert api.get("/no/such/route").status_code == 404
        assert api.delete("/me").status_code == 405
    assert requests.get(emulator.url + "/elsewhere", timeout=10).status_code == 404
    assert [r["path"] for r in emulator.requests()] == ["/api/v2/no/such/route", "/api/v2/me"]
