"""Project env vars and checkout keys, API v1.1 (recorded) and v2."""

from __future__ import annotations

import re

import pytest

from tests.emulator.helpers import ALICE, Client, reproduces, standard_seed

MD5 = re.compile(r"^([0-9a-f]{2}:){15}[0-9a-f]{2}$")


def seed_with_vars(env_vars: dict[str, str]) -> dict:
    seed = standard_seed()
    seed["organizations"]["gh/acme"]["projects"]["gh/acme/api"]["env_vars"] = env_vars
    return seed


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=standard_seed())


def v1(emu, token=None):
    return Client(emu.url + "/api/v1.1/project/github/acme/api", token or emu.token)


def test_v1_create_masks_and_points_to_the_variable(emu):
    resp = v1(emu).post("/envvar", json={"name": "TESTENV", "value": "testvalue"})
    rec = reproduces(resp, "project-envvar-v1-create-201.json")
    assert resp.json() == rec["response"]["body"]  # {"name": "TESTENV", "value": "xxxxalue"}
    assert resp.headers["Location"].endswith("/api/v1.1/project/github/acme/api/envvar/TESTENV")


def test_v1_list_is_a_sorted_bare_array_of_masked_values(emulator_factory):
    values = {
        "TESTENV": "testvalue",
        "COVERALLS_REPO_TOKEN": "abcdskJS",
        "CC_TEST_REPORTER_ID": "f01a869",
    }
    emu = emulator_factory(seed=seed_with_vars(values))
    resp = v1(emu).get("/envvar")
    rec = reproduces(resp, "project-envvar-v1-list-200.json")
    assert resp.json() == rec["response"]["body"]


def test_short_values_reveal_fewer_characters(emulator_factory):
    emu = emulator_factory(
        seed=seed_with_vars({"BAR": "BAR", "BAZ": "BAZ", "FOO": "FOO", "foo": "bar"})
    )
    resp = v1(emu).get("/envvar")
    rec = reproduces(resp, "project-envvar-v1-list-200-short-values.json")
    assert resp.json() == rec["response"]["body"]
    api = Client(emu.api, emu.token)
    api.post("/project/gh/acme/api/envvar", json={"name": "TINY", "value": "ab"})
    assert api.get("/project/gh/acme/api/envvar/TINY").json()["value"] == "xxxx"


def test_v1_delete_then_delete_again(emu):
    client = v1(emu)
    client.post("/envvar", json={"name": "DELETE_ME", "value": "x" * 10})
    reproduces(client.delete("/envvar/DELETE_ME"), "project-envvar-v1-delete-200.json")
    reproduces(client.delete("/envvar/DELETE_ME"), "project-envvar-v1-delete-404.json")
    assert client.get("/envvar/DELETE_ME").json() == {"message": "env var not found"}


def test_v2_missing_variable(emu):
    resp = Client(emu.api, emu.token).get("/project/github/acme/api/envvar/test1")
    reproduces(resp, "vendor-test-project-envvar-get-404.json")


def test_v2_create_is_an_upsert_and_lists_with_created_at(emu):
    api = Client(emu.api, emu.token)
    first = api.post(
        "/project/gh/acme/api/envvar", json={"name": "LOG_LEVEL", "value": "debugging"}
    )
    assert first.status_code == 201
    assert first.json() == {
        "name": "LOG_LEVEL",
        "value": "xxxxging",
        "created-at": first.json()["created-at"],
    }
    again = api.post(
        "/project/gh%2Facme%2Fapi/envvar", json={"name": "LOG_LEVEL", "value": "verbose"}
    )
    assert again.status_code == 201 and again.json()["value"] == "xxxxbose"
    assert again.json()["created-at"] > first.json()["created-at"]
    items = api.get("/project/gh/acme/api/envvar").json()["items"]
    assert [i["name"] for i in items] == ["LOG_LEVEL", "NPM_TOKEN"]
    state = emu.state()["projects"]
    project = next(p for p in state.values() if p["slug"] == "gh/acme/api")
    assert project["env_vars"]["LOG_LEVEL"]["value"] == "verbose"  # admin state has the secret
    assert api.delete("/project/gh/acme/api/envvar/LOG_LEVEL").json() == {
        "message": "Environment variable deleted."
    }
    assert api.delete("/project/gh/acme/api/envvar/LOG_LEVEL").status_code == 404


def test_v1_checkout_key_create_get_list_delete(emu):
    client = v1(emu)
    created = client.post("/checkout-key", json={"type": "deploy-key"})
    rec = reproduces(created, "checkout-key-v1-create-201.json")
    key = created.json()
    assert key["type"] == "deploy-key" and key["preferred"] is True and key["login"] is None
    assert MD5.match(key["fingerprint"]) and key["public_key"].startswith("ssh-rsa AAAA")
    assert key["public_key"].endswith(rec["response"]["body"]["public_key"][-2:])  # " \n"
    assert created.headers["Location"].endswith("/checkout-key/" + key["fingerprint"])
    listed = client.get("/checkout-key")
    reproduces(listed, "checkout-key-v1-list-200.json")
    older = next(k for k in listed.json() if k["fingerprint"] != key["fingerprint"])
    # The seeded key is now older: only the newest key is preferred.
    got = client.get("/checkout-key/" + older["fingerprint"])
    reproduces(got, "checkout-key-v1-get-200.json")
    assert got.json()["preferred"] is False
    reproduces(client.get("/checkout-key/asdf-bogus"), "checkout-key-v1-get-404.json")
    reproduces(
        client.delete("/checkout-key/" + key["fingerprint"]), "checkout-key-v1-delete-200.json"
    )
    reproduces(client.delete("/checkout-key/asdf-bogus"), "checkout-key-v1-delete-404.json")
    assert client.get("/checkout-key/" + older["fingerprint"]).json()["preferred"] is True


def test_v1_checkout_keys_empty_list_and_permission_denied(emu):
    empty = Client(emu.url + "/api/v1.1/project/github/acme/web", emu.token).get("/checkout-key")
    rec = reproduces(empty, "checkout-key-v1-list-200-empty.json")
    assert empty.json() == rec["response"]["body"] == []
    other = Client(emu.url + "/api/v1.1/project/github/other/secret", ALICE)
    reproduces(
        other.post("/checkout-key", json={"type": "deploy-key"}), "checkout-key-v1-create-403.json"
    )


def test_v2_checkout_keys_user_key_and_sha256(emu):
    api = Client(emu.api, emu.token)
    made = api.post("/project/gh/acme/api/checkout-key", json={"type": "user-key"})
    assert made.status_code == 201
    key = made.json()
    assert set(key) == {"public-key", "type", "fingerprint", "preferred", "created-at"}
    assert key["type"] == "github-user-key" and key["preferred"] is True
    listed = api.get("/project/gh/acme/api/checkout-key", params={"digest": "sha256"}).json()
    sha = next(k["fingerprint"] for k in listed["items"] if k["preferred"])
    assert sha.startswith("SHA256:")
    by_sha = api.get("/project/gh/acme/api/checkout-key/" + sha.replace("/", "%2F"))
    assert by_sha.status_code == 200 and by_sha.json()["public-key"] == key["public-key"]
    assert api.delete("/project/gh/acme/api/checkout-key/" + key["fingerprint"]).status_code == 200
    assert api.get("/project/gh/acme/api/checkout-key/" + key["fingerprint"]).status_code == 404
