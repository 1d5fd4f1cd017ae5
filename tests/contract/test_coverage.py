"""Drive every API v2 operation the reconciler uses through plain `requests` against the
emulator, error answers included, and show that the contract observer checked each one and
that none broke the spec (the emulator fixture fails the test on any violation)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import requests

from tests.support.contract import off_contract

MISSING = "0b6f2c1e-9f5a-4d59-8d0e-3a8f6f0c1d2e"  # a well-formed id nothing has
SEED = {
    "users": [{"login": "mallory", "token": "outsider-token", "organizations": ["gh/other"]}],
    "organizations": {
        "gh/acme": {
            "groups": ["platform"],
            "projects": {
                "gh/acme/api": {
                    "env_vars": {"NPM_TOKEN": "s3cr3t-value"},
                    "checkout_keys": ["deploy-key"],
                }
            },
            "contexts": {"aws-prod": {"env_vars": {"AWS_ACCESS_KEY_ID": "AKIA0000"}}},
        },
        "gh/other": {"features_off": ["config_policies"]},
        # Standalone: the groups API serves these only (newer spec).
        "circleci/DrNsW5SW6K42zooKCzkVek": {"groups": ["platform"]},
    },
}
STANDALONE_ID = "68129642-b377-4bd1-a534-a94d01d2db25"
# operationId -> statuses this test must see checked for it.
EXPECTED = {
    "getCurrentUser": {200, 401},
    "getCollaborations": {200},
    "getProjectBySlug": {200, 404},
    "createProject": {200, 409},
    "getProjectSettings": {200, 404},
    "patchProjectSettings": {200, 400},
    "listEnvVars": {200},
    "createEnvVar": {201},
    "getEnvVar": {200, 404},
    "deleteEnvVar": {200, 404},
    "listCheckoutKeys": {200},
    "createCheckoutKey": {201},
    "getCheckoutKey": {200, 404},
    "deleteCheckoutKey": {200},
    "listContexts": {200, 401},
    "createContext": {200, 409},
    "getContext": {200, 404},
    "deleteContext": {200},
    "listEnvironmentVariablesFromContext": {200},
    "addEnvironmentVariableToContext": {200, 404},
    "deleteEnvironmentVariableFromContext": {200, 404},
    "getContextRestrictions": {200, 400},
    "createContextRestriction": {201, 400, 409},
    "deleteContextRestriction": {200, 400},
    "listSchedulesForProject": {200},
    "createSchedule": {201, 409},
    "getScheduleById": {200, 404},
    "updateSchedule": {200},
    "deleteScheduleById": {200},
    "getWebhooks": {200},
    "createWebhook": {201},
    "getWebhookById": {200, 404},
    "updateWebhook": {200},
    "deleteWebhook": {200},
    "getOrganizationGroups": {200, 404},
    "GetPolicyBundle": {200, 400, 403},
    "CreatePolicyBundle": {200, 201, 400, 413},
    "GetPolicyDocument": {200, 404},  # served, though plan reads the whole bundle
    "GetDecisionSettings": {200, 403},
    "SetDecisionSettings": {200},
}


class Api:
    """Plain requests against the emulator; asserts each answer's status as it goes."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.session = requests.Session()
        self.calls = 0

    def __call__(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        headers = {"Circle-Token": kwargs.pop("token", self.token)}
        resp = self.session.request(method, self.base + path, headers=headers, timeout=10, **kwargs)
        self.calls += 1
        assert resp.status_code == status, (method, path, resp.status_code, resp.text)
        return resp.json()


def identity_and_projects(api: Api) -> str:
    api("GET", "/me", 200)
    api("GET", "/me", 401, token="wrong-token")
    orgs = api("GET", "/me/collaborations", 200)
    acme = next(o["id"] for o in orgs if o["slug"] == "gh/acme")
    project = api("GET", "/project/gh%2Facme%2Fapi", 200)
    assert api("GET", "/project/gh/acme/api", 200) == project  # raw segments, same project
    api("GET", "/project/gh%2Facme%2Fnope", 404)
    api("POST", "/organization/gh/acme/project", 200, json={"name": "web"})
    api("POST", f"/organization/{acme}/project", 409, json={"name": "web"})
    api("GET", f"/organizations/{STANDALONE_ID}/groups", 200)
    api("GET", f"/organizations/{acme}/groups", 403)  # a GitHub OAuth org: teams, not groups
    api("GET", f"/organizations/{MISSING}/groups", 404)
    return str(project["id"])


def settings(api: Api, observer: Any) -> None:
    api("GET", "/project/gh/acme/api/settings", 200)
    patch = {"advanced": {"autocancel_builds": True, "pr_only_branch_overrides": ["main"]}}
    assert api("PATCH", "/project/gh/acme/api/settings", 200, json=patch)["advanced"][
        "autocancel_builds"
    ]
    api("GET", "/project/gh/acme/nope/settings", 404)
    with off_contract(observer, "request-body at /advanced/incorrect"):
        api("PATCH", "/project/gh/acme/api/settings", 400, json={"advanced": {"incorrect": True}})


def project_env_vars_and_keys(api: Api) -> None:
    base = "/project/gh%2Facme%2Fapi"
    api("POST", f"{base}/envvar", 201, json={"name": "LOG_LEVEL", "value": "debug-level"})
    assert api("GET", f"{base}/envvar/LOG_LEVEL", 200)["value"] == "xxxxevel"
    api("GET", f"{base}/envvar/NOPE", 404)
    names = [v["name"] for v in api("GET", f"{base}/envvar", 200)["items"]]
    assert "NPM_TOKEN" in names
    api("DELETE", f"{base}/envvar/LOG_LEVEL", 200)
    api("DELETE", f"{base}/envvar/LOG_LEVEL", 404)
    key = api("POST", f"{base}/checkout-key", 201, json={"type": "deploy-key"})
    api("GET", f"{base}/checkout-key", 200, params={"digest": "sha256"})
    api("GET", f"{base}/checkout-key/{key['fingerprint']}", 200)
    api("DELETE", f"{base}/checkout-key/{key['fingerprint']}", 200)
    api("GET", f"{base}/checkout-key/{key['fingerprint']}", 404)
    api("GET", f"{base}/checkout-key", 200)


def contexts(api: Api, project_id: str, observer: Any) -> None:
    owner = {"owner-slug": "gh/acme"}
    api("GET", "/context", 401, params=owner, token="wrong-token")
    body = {"name": "deploy", "owner": {"slug": "gh/acme", "type": "organization"}}
    ctx = api("POST", "/context", 200, json=body)["id"]
    api("POST", "/context", 409, json=body)
    assert api("GET", f"/context/{ctx}", 200)["name"] == "deploy"
    api("GET", f"/context/{MISSING}", 404)
    names = [c["name"] for c in api("GET", "/context", 200, params=owner)["items"]]
    assert names == ["aws-prod", "deploy"]
    var = f"/context/{ctx}/environment-variable"
    api("PUT", f"{var}/AWS_REGION", 200, json={"value": "eu-west-1"})
    api("PUT", f"/context/{MISSING}/environment-variable/AWS_REGION", 404, json={"value": "x"})
    assert [v["variable"] for v in api("GET", var, 200)["items"]] == ["AWS_REGION"]
    api("DELETE", f"{var}/AWS_REGION", 200)
    api("DELETE", f"{var}/AWS_REGION", 404)
    rules = f"/context/{ctx}/restrictions"
    made = api(
        "POST", rules, 201, json={"restriction_type": "project", "restriction_value": project_id}
    )
    expr = {"restriction_type": "expression", "restriction_value": 'pipeline.git.branch == "main"'}
    api("POST", rules, 201, json=expr)
    api("POST", rules, 409, json=expr)
    api("POST", rules, 400, json={"restriction_type": "project", "restriction_value": MISSING})
    assert len(api("GET", rules, 200)["items"]) == 2
    api("DELETE", f"{rules}/{made['id']}", 200)
    api("DELETE", f"{rules}/not-an-id", 400)
    with off_contract(observer, "request-path at context_id: not a valid uuid"):
        api("GET", "/context/not-an-id/restrictions", 400)
    api("DELETE", f"/context/{ctx}", 200)


def schedules_and_webhooks(api: Api, project_id: str) -> None:
    base = "/project/gh%2Facme%2Fapi/schedule"
    body = {
        "name": "nightly",
        "description": "Nightly build of main",
        "attribution-actor": "system",
        "parameters": {"branch": "main"},
        "timetable": {"per-hour": 1, "hours-of-day": [3], "days-of-week": ["MON", "FRI"]},
    }
    schedule = api("POST", base, 201, json=body)["id"]
    api("POST", base, 409, json=body)
    api("GET", f"/schedule/{schedule}", 200)
    api("PATCH", f"/schedule/{schedule}", 200, json={"description": "Nightly, at three"})
    assert [s["name"] for s in api("GET", base, 200)["items"]] == ["nightly"]
    api("DELETE", f"/schedule/{schedule}", 200)
    api("GET", f"/schedule/{schedule}", 404)
    hook = {
        "name": "slack",
        "events": ["workflow-completed"],
        "url": "https://hooks.example.com/circleci",
        "verify-tls": True,
        "signing-secret": "hook-s3cret",
        "scope": {"id": project_id, "type": "project"},
    }
    made = api("POST", "/webhook", 201, json=hook)
    assert made["signing-secret"] != "hook-s3cret"
    scope = {"scope-id": project_id, "scope-type": "project"}
    assert [w["name"] for w in api("GET", "/webhook", 200, params=scope)["items"]] == ["slack"]
    api("GET", f"/webhook/{made['id']}", 200)
    whole = {k: v for k, v in hook.items() if k != "scope"}
    api("PUT", f"/webhook/{made['id']}", 200, json={**whole, "events": ["job-completed"]})
    api("DELETE", f"/webhook/{made['id']}", 200)
    api("GET", f"/webhook/{made['id']}", 404)


def config_policies(api: Api) -> None:
    orgs = {o["slug"]: o["id"] for o in api("GET", "/me/collaborations", 200)}
    base = f"/owner/{orgs['gh/acme']}/context/config"
    rego = 'package org\npolicy_name["ci"]\n'
    api(
        "POST",
        f"{base}/policy-bundle",
        200,
        params={"dry": "true"},
        json={"policies": {"a.rego": rego}},
    )
    api("POST", f"{base}/policy-bundle", 201, json={"policies": {"a.rego": rego}})
    api("POST", f"{base}/policy-bundle", 400, json={"policies": {"a.rego": rego + "deny {"}})
    big = {"policies": {"a.rego": rego + "#" * 2_700_000}}
    api("POST", f"{base}/policy-bundle", 413, json=big)
    assert api("GET", f"{base}/policy-bundle", 200)["ci"][0]["content"] == rego
    api("GET", f"{base}/policy-bundle/ci", 200)
    assert api("GET", f"{base}/policy-bundle/nope", 404) == {"error": "policy not found"}
    api("GET", "/owner/acme/context/config/policy-bundle", 400)
    api("PATCH", f"{base}/decision/settings", 200, json={"enabled": True})
    assert api("GET", f"{base}/decision/settings", 200) == {"enabled": True}
    off = f"/owner/{orgs['gh/other']}/context/config"
    api("GET", f"{off}/policy-bundle", 403)
    api("GET", f"{off}/decision/settings", 403)


def test_every_reconciler_endpoint_is_checked_and_keeps_the_contract(
    emulator_factory: Any, contract_observer: Any
) -> None:
    if contract_observer is None:
        pytest.skip("no OpenAPI spec here: nothing checks the exchanges")
    before = contract_observer.counts()
    emu = emulator_factory(seed=SEED, page_size=2)
    api = Api(emu.api, emu.token)
    project_id = identity_and_projects(api)
    settings(api, contract_observer)
    project_env_vars_and_keys(api)
    contexts(api, project_id, contract_observer)
    schedules_and_webhooks(api, project_id)
    config_policies(api)
    seen = contract_observer.counts() - before
    missing = {
        op: sorted(codes - {status for (o, status) in seen if o == op})
        for op, codes in EXPECTED.items()
    }
    assert {op: codes for op, codes in missing.items() if codes} == {}
    unexpected = Counter({key: n for key, n in seen.items() if key[0] not in EXPECTED})
    assert not unexpected, f"operations outside the reconciler's set: {unexpected}"
    assert contract_observer.take_violations() == []
    assert sum(seen.values()) == api.calls  # every exchange was checked, none slipped by
