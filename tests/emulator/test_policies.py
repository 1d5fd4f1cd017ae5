"""Config policies: the bundle (stored by policy name, replaced whole, dry run), documents,
decision settings, and the refusals (feature off, bad owner or context, malformed Rego,
413, policy not found) in the `{"error": ...}` shape these routes answer with."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator.handlers.policies import NOT_AVAILABLE, rego_problems
from reconciler.emulator.seed import SeedError, build_world
from tests.emulator.helpers import Client, off_spec

ORG_ID = "7f1f1f4e-2c9b-4d5e-9a0b-1c2d3e4f5a6b"
OFF_ID = "3c3f1f4e-2c9b-4d5e-9a0b-1c2d3e4f5a6b"


def rego(name: str, body: str = "") -> str:
    return f'package org\n\n# a comment {{\npolicy_name["{name}"]\n{body}\n'


SEED: dict[str, Any] = {
    "organizations": {
        "gh/acme": {
            "id": ORG_ID,
            "config_policies": {"enabled": True, "policies": {"seeded": rego("seeded")}},
        },
        "gh/basic": {"id": OFF_ID, "features_off": ["config_policies"]},
    }
}
BASE = f"/owner/{ORG_ID}/context/config"


@pytest.fixture
def api(emulator_factory: Any) -> Client:
    emu = emulator_factory(seed=SEED)
    return Client(emu.api, emu.token)


def test_seeded_bundle_and_settings_read_back(api: Client) -> None:
    got = api.get(f"{BASE}/policy-bundle")
    assert got.status_code == 200
    [doc] = got.json()["seeded"]
    assert doc["name"] == "seeded" and doc["content"] == rego("seeded")
    assert api.get(f"{BASE}/decision/settings").json() == {"enabled": True}
    assert api.get(f"{BASE}/policy-bundle/seeded").json()["content"] == rego("seeded")
    missing = api.get(f"{BASE}/policy-bundle/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "policy not found"})


def test_upload_replaces_the_bundle_and_the_dry_run_stores_nothing(api: Client) -> None:
    files = {"a.rego": rego("alpha"), "sub/b.rego": rego("seeded", "x := 1")}
    dry = api.post(f"{BASE}/policy-bundle", params={"dry": "true"}, json={"policies": files})
    assert dry.status_code == 200
    assert dry.json() == {"created": ["alpha"], "deleted": [], "modified": ["seeded"]}
    assert set(api.get(f"{BASE}/policy-bundle").json()) == {"seeded"}
    done = api.post(f"{BASE}/policy-bundle", json={"policies": {"a.rego": rego("alpha")}})
    assert done.status_code == 201
    assert done.json() == {"created": ["alpha"], "deleted": ["seeded"], "modified": []}
    assert set(api.get(f"{BASE}/policy-bundle").json()) == {"alpha"}
    again = api.post(f"{BASE}/policy-bundle", json={"policies": {"a.rego": rego("alpha")}})
    assert again.json() == {"created": [], "deleted": [], "modified": []}


def test_settings_patch(api: Client, contract_observer: Any) -> None:
    assert api.patch(f"{BASE}/decision/settings", json={"enabled": False}).json() == {
        "enabled": False
    }
    assert api.get(f"{BASE}/decision/settings").json() == {"enabled": False}
    with off_spec(contract_observer, "expected boolean"):
        bad = api.patch(f"{BASE}/decision/settings", json={"enabled": "yes"})
    assert bad.status_code == 400 and "error" in bad.json()


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"x.rego": 'policy_name["x"]\n'}, 'failed to parse file "x.rego": x.rego:1'),
        ({"x.rego": rego("x", "deny { true ")}, "rego_parse_error: unexpected eof token"),
        (
            {"x.rego": "package org\nallow { true }\n"},
            'first rule declaration must be "policy_name"',
        ),
        ({"x.rego": rego("bad-name")}, "alphanumeric and underscore characters only"),
        ({"x.rego": rego("dup"), "y.rego": rego("dup")}, 'policy "dup" declared 2 times'),
        ({"x.rego": rego("x").replace("org", "other")}, "invalid package name"),
    ],
)
def test_malformed_rego_is_refused_with_the_error_shape(
    api: Client, files: dict[str, str], words: str
) -> None:
    for params in ({"dry": "true"}, {}):
        got = api.post(f"{BASE}/policy-bundle", params=params, json={"policies": files})
        assert got.status_code == 400
        assert words in got.json()["error"]
    assert set(api.get(f"{BASE}/policy-bundle").json()) == {"seeded"}


def test_refusals_owner_context_size_and_feature_off(api: Client) -> None:
    bad_owner = api.get("/owner/acme/context/config/policy-bundle")
    assert (bad_owner.status_code, bad_owner.json()) == (
        400,
        {"error": "OwnerID: must be a valid UUID."},
    )
    bad_context = api.get(f"/owner/{ORG_ID}/context/nope/policy-bundle")
    assert bad_context.status_code == 400
    big = {"policies": {"a.rego": rego("a", "# " + "x" * 2_700_000)}}
    too_big = api.post(f"{BASE}/policy-bundle", json=big)
    assert (too_big.status_code, too_big.json()) == (
        413,
        {"error": "http: request payload too large"},
    )
    for method, path in [
        ("GET", "/policy-bundle"),
        ("GET", "/decision/settings"),
        ("PATCH", "/decision/settings"),
    ]:
        body = {"json": {"enabled": True}} if method == "PATCH" else {}
        off = api.request(method, f"/owner/{OFF_ID}/context/config{path}", **body)
        assert (off.status_code, off.json()) == (403, {"error": NOT_AVAILABLE})


def test_the_checker_accepts_v1_syntax_comments_and_strings() -> None:
    text = (
        "package org\nimport rego.v1\n# policy_name is next\n"
        'policy_name contains "modern"\n'
        'msg := "a } inside a string"\n'
    )
    assert rego_problems({"m.rego": text}) == ({"modern": text}, None)


def test_the_seed_refuses_a_policy_whose_rule_names_another() -> None:
    seed = {"organizations": {"gh/acme": {"config_policies": {"policies": {"a": rego("b")}}}}}
    with pytest.raises(SeedError, match="names another policy"):
        build_world(seed, [])
    with pytest.raises(SeedError, match="list of feature names"):
        build_world({"organizations": {"gh/acme": {"features_off": "all"}}}, [])


def test_an_injected_500_answers_in_the_routes_error_shape(emulator_factory: Any) -> None:
    emu = emulator_factory(seed=SEED, fault_rate=1.0, fault_seed=3)
    api = Client(emu.api, emu.token)
    seen = set()
    for _ in range(12):
        got = api.get(f"{BASE}/decision/settings")
        if got.status_code == 500:
            assert got.json() == {"error": "unexpected server error"}
            seen.add(500)
    assert seen == {500}
    assert Client(emu.api, emu.token).get("/me").status_code in (500, 502, 503)
