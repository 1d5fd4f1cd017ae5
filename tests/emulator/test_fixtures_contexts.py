"""Contexts, their env vars and restrictions: recorded and documented answers."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import (
    DELETED_CONTEXT,
    Client,
    covers,
    off_spec,
    recorded,
    reproduces,
    standard_seed,
)


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=standard_seed())


@pytest.fixture
def api(emu):
    return Client(emu.api, emu.token)


def make_context(api: Client, name: str, owner: dict | None = None) -> str:
    body = {"name": name, "owner": owner or {"slug": "gh/acme", "type": "organization"}}
    resp = api.post("/context", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()["id"]


def test_list_is_sorted_by_name_and_ends_with_null_token(emulator_factory):
    emu = emulator_factory(seed=standard_seed(), page_size=10)
    api = Client(emu.api, emu.token)
    for name in ("foobar", "context2", "context1"):
        make_context(api, name)
    resp = api.get("/context", params={"owner-slug": "gh/acme"})
    rec = reproduces(resp, "context-list-200.json")
    assert set(resp.json()) == set(rec["response"]["body"])
    names = [c["name"] for c in resp.json()["items"]]
    assert names == ["aws-prod", "context1", "context2", "foobar"]
    assert resp.json()["next_page_token"] is None
    # pycircleci and older clients send the long vcs form; the org UUID works too.
    org_id = api.get("/project/gh/acme/api").json()["organization_id"]
    for params in ({"owner-slug": "github/acme"}, {"owner-id": org_id}):
        assert api.get("/context", params=params).json() == resp.json()


def test_duplicate_name_is_rejected(api, contract_observer):
    make_context(api, "orb-publishing")
    owner = {"slug": "gh/acme", "type": "organization"}
    # The status is not in the recording; ours (409) is not declared by the spec either.
    with off_spec(contract_observer, "status not declared"):
        resp = api.post("/context", json={"name": "orb-publishing", "owner": owner})
    reproduces(resp, "context-create-409-or-400-duplicate-name.json")
    assert resp.status_code in (400, 409)


def test_delete_removes_vars_and_restrictions_and_a_later_get_is_403(emu, api, contract_observer):
    cid = api.get("/context", params={"owner-slug": "gh/acme"}).json()["items"][0]["id"]
    reproduces(api.delete(f"/context/{cid}"), "context-delete-200.json")
    state = emu.state()
    assert cid not in state["contexts"] and cid in state["deleted_contexts"]
    with off_spec(contract_observer, DELETED_CONTEXT):
        gone = api.get(f"/context/{cid}")
    assert gone.status_code == 403  # recorded: CircleCI answers GETs on deleted contexts so
    assert api.delete(f"/context/{cid}").status_code == 403  # a repeated DELETE too (README)


def test_missing_context_and_bad_tokens(emu, api, contract_observer):
    missing = "be8bb2e3-c3d6-4098-89f4-572ff976ba9a"
    reproduces(api.get(f"/context/{missing}"), "docs-error-404-context-not-found.json")
    resp = Client(emu.api, "not-a-token").get(f"/context/{missing}")
    reproduces(resp, "docs-error-401-invalid-token.json")
    with off_spec(contract_observer, "request-security"):
        query_auth = Client(emu.api).get("/context", params={"circle-token": emu.token})
    reproduces(query_auth, "docs-error-401-query-param-auth.json")


def test_env_var_put_list_delete(api):
    cid = make_context(api, "vars")
    first = api.put(f"/context/{cid}/environment-variable/FOOBAR", json={"value": "one"})
    rec = reproduces(first, "context-envvar-put-200.json", exact=False)
    assert set(first.json()) == set(rec["response"]["body"]) | {"updated_at"}
    again = api.put(f"/context/{cid}/environment-variable/FOOBAR", json={"value": "two"})
    assert again.json()["created_at"] == first.json()["created_at"]
    assert again.json()["updated_at"] > first.json()["updated_at"]
    api.put(f"/context/{cid}/environment-variable/foobar", json={"value": "three"})
    api.put(f"/context/{cid}/environment-variable/FOOBAR2", json={"value": "four"})
    listed = api.get(f"/context/{cid}/environment-variable")
    reproduces(listed, "context-envvar-list-item-redacted.json")
    items_only = recorded("context-envvar-list-200-items-only.json")["response"]["body"]
    covers(listed.json()["items"], items_only)
    names = [i["variable"] for i in listed.json()["items"]]
    assert names == ["FOOBAR", "FOOBAR2"]  # first page of 2; names are case-sensitive
    token = listed.json()["next_page_token"]
    rest = api.get(f"/context/{cid}/environment-variable", params={"page-token": token}).json()
    assert [i["variable"] for i in rest["items"]] == ["foobar"]
    assert all("value" not in i for i in listed.json()["items"] + rest["items"])
    deleted = api.delete(f"/context/{cid}/environment-variable/FOOBAR")
    reproduces(deleted, "context-envvar-delete-200.json")
    assert api.delete(f"/context/{cid}/environment-variable/FOOBAR").status_code == 404


def test_restrictions_of_each_type(emulator_factory):
    emu = emulator_factory(seed=standard_seed(), page_size=10)
    api = Client(emu.api, emu.token)
    cid = make_context(api, "restricted")
    project = api.get("/project/gh/acme/api").json()
    group = next(
        g for g in emu.state()["organizations"][project["organization_id"]]["groups"].values()
    )
    url = f"/context/{cid}/restrictions"
    made = {}
    for kind, value in (
        ("project", project["id"]),
        ("expression", 'pipeline.git.branch == "main"'),
        ("group", group["id"]),
    ):
        resp = api.post(url, json={"restriction_type": kind, "restriction_value": value})
        reproduces(resp, f"docs-context-restriction-create-201-{kind}.json")
        made[kind] = resp.json()
    assert made["project"]["name"] == "api" and made["project"]["project_id"] == project["id"]
    assert made["expression"]["name"] == "" and made["group"]["name"] == group["name"]
    listed = api.get(url).json()
    assert all(item["context_id"] == cid for item in listed["items"])
    assert {i["id"] for i in listed["items"]} == {m["id"] for m in made.values()}
    dup = api.post(url, json={"restriction_type": "group", "restriction_value": group["id"]})
    reproduces(dup, "docs-context-restriction-create-409-conflict.json")
    deleted = api.delete(f"{url}/{made['expression']['id']}")
    reproduces(deleted, "docs-context-restriction-delete-200.json")
    assert len(api.get(url).json()["items"]) == 2


def test_restriction_errors(emu, api, contract_observer):
    cid = make_context(api, "strict")
    url = f"/context/{cid}/restrictions"
    with off_spec(contract_observer, "context_id"):
        bad_id = api.get("/context/not-a-uuid/restrictions")
    reproduces(bad_id, "docs-context-restriction-400-invalid-id.json")
    bad_group = api.post(url, json={"restriction_type": "group", "restriction_value": cid})
    reproduces(bad_group, "docs-context-restriction-create-400-invalid.json")
    other_org = Client(emu.api, emu.token).get("/project/gh/other/secret").json()["id"]
    resp = api.post(url, json={"restriction_type": "project", "restriction_value": other_org})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("Project does not exist")
    with off_spec(contract_observer, "restriction_type"):
        odd = api.post(url, json={"restriction_type": "branch", "restriction_value": "main"})
    reproduces(odd, "docs-context-restriction-create-400-invalid.json")
    assert api.delete(f"{url}/not-a-uuid").json() == {"message": "restriction_id is invalid."}
