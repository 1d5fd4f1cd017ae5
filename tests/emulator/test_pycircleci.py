"""pycircleci 0.7.0, an independent client, gets from the emulator what CircleCI would give it.

It builds slugs with the long vcs form (github/acme/api), sends Circle-Token and Basic auth at
once, and uses v1.1 for project env vars and checkout keys.
"""

from __future__ import annotations

import pytest
import requests
from pycircleci.api import Api

from tests.emulator.helpers import DELETED_CONTEXT, SNAKE_VCS_TYPE, off_spec, standard_seed


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=standard_seed(), page_size=2)


@pytest.fixture
def circle(emu):
    return Api(token=emu.token, url=emu.url + "/api")


def test_contexts_and_their_env_vars(circle, contract_observer):
    for name in ("ctx-b", "ctx-a", "ctx-c"):
        created = circle.add_context(name, username="acme")
        assert set(created) == {"id", "name", "created_at"} and created["name"] == name
    first_page = circle.get_contexts(username="acme")
    assert [c["name"] for c in first_page] == ["aws-prod", "ctx-a"]
    everything = circle.get_contexts(username="acme", paginate=True)
    assert [c["name"] for c in everything] == ["aws-prod", "ctx-a", "ctx-b", "ctx-c"]
    ctx_id = everything[1]["id"]
    assert circle.get_context(ctx_id)["name"] == "ctx-a"
    for var in ("B", "A", "C"):
        put = circle.add_context_envvar(ctx_id, var, "value-" + var)
        assert put["variable"] == var and put["context_id"] == ctx_id
    assert [v["variable"] for v in circle.get_context_envvars(ctx_id, paginate=True)] == [
        "A",
        "B",
        "C",
    ]
    assert circle.delete_context_envvar(ctx_id, "B") == {"message": "Environment variable deleted."}
    assert circle.delete_context(ctx_id) == {"message": "Context deleted."}
    with pytest.raises(requests.HTTPError) as err, off_spec(contract_observer, DELETED_CONTEXT):
        circle.get_context(ctx_id)
    assert err.value.response.status_code == 403  # as CircleCI answers for deleted contexts


def test_project_env_vars_over_v1(circle):
    assert circle.add_envvar("acme", "api", "TESTENV", "testvalue") == {
        "name": "TESTENV",
        "value": "xxxxalue",
    }
    assert circle.list_envvars("acme", "api") == [
        {"name": "NPM_TOKEN", "value": "xxxxalue"},
        {"name": "TESTENV", "value": "xxxxalue"},
    ]
    assert circle.get_envvar("acme", "api", "TESTENV")["value"] == "xxxxalue"
    assert circle.delete_envvar("acme", "api", "TESTENV") == {"message": "ok"}
    with pytest.raises(requests.HTTPError) as err:
        circle.get_envvar("acme", "api", "TESTENV")
    assert err.value.response.json() == {"message": "env var not found"}


def test_checkout_keys_over_v1(circle):
    seeded = circle.list_checkout_keys("acme", "api")
    assert len(seeded) == 1 and seeded[0]["preferred"] is True
    key = circle.create_checkout_key("acme", "api", "deploy-key")
    assert key["type"] == "deploy-key" and key["preferred"] is True
    assert circle.get_checkout_key("acme", "api", seeded[0]["fingerprint"])["preferred"] is False
    assert circle.delete_checkout_key("acme", "api", key["fingerprint"]) == {"message": "ok"}
    assert [k["fingerprint"] for k in circle.list_checkout_keys("acme", "api")] == [
        seeded[0]["fingerprint"]
    ]


def test_schedules(circle):
    settings = {
        "description": "nightly",
        "attribution-actor": "system",
        "parameters": {"branch": "main"},
        "timetable": {"per-hour": 1, "hours-of-day": [1], "days-of-week": ["MON"]},
    }
    made = circle.add_schedule("acme", "api", "nightly", settings)
    assert made["project-slug"] == "gh/acme/api" and made["actor"]["login"] == "system-actor"
    envelope = circle.get_schedules("acme", "api")
    assert set(envelope) == {"items", "next_page_token"}
    assert [s["name"] for s in envelope["items"]] == ["nightly"]
    updated = circle.update_schedule(made["id"], {"description": "changed"})
    assert updated["description"] == "changed" and updated["timetable"] == made["timetable"]
    assert circle.get_schedule(made["id"])["description"] == "changed"
    assert circle.delete_schedule(made["id"]) == {"message": "Schedule deleted."}


def test_identity_and_project(circle, contract_observer):
    assert circle.get_user_info()["login"] == "emulator-user"  # v1.1 /me
    assert circle.get_user_info(api_version="v2")["login"] == "emulator-user"
    with off_spec(contract_observer, SNAKE_VCS_TYPE):
        orgs = circle.get_user_collaborations()
    assert {o["slug"] for o in orgs} == {"gh/acme", "gh/other"}
    assert circle.get_project("gh/acme/api")["name"] == "api"
    assert circle.follow_project("acme", "brand-new")["following"] is True
    assert circle.get_project("github/acme/brand-new")["slug"] == "gh/acme/brand-new"
    assert {p["reponame"] for p in circle.get_projects()} >= {"api", "web", "brand-new"}
