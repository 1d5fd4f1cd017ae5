"""The facade's URLs and normalisation against canned answers shaped like real recordings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from reconciler.client import CircleCI, HttpClient
from reconciler.errors import NotFound, PermissionDenied, ReconcilerError
from tests.client.conftest import V1, V2
from tests.emulator.helpers import recorded as recorded_exchange

CTX = "a2683f02-d716-4b1e-bb61-d8a5cf5308f1"
ORG = "68129642-b377-4bd1-a534-a94d01d2db25"


def recorded(name: str) -> Any:
    """The body of a recorded answer (found as every fixture is: CIRCLECI_API_FIXTURES, else
    ../shared; missing is a failure under CI)."""
    return recorded_exchange(name)["response"]["body"]


@pytest.fixture
def rsps() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def api(make_http: Callable[..., HttpClient]) -> CircleCI:
    http = make_http()
    return CircleCI(http.config, http=http)


def test_project_slug_escaping_per_route_family(rsps: Any, api: CircleCI) -> None:
    rsps.get(f"{V2}/project/gh%2Facme%2Fapi", json={"slug": "gh/acme/api", "id": "p"})
    rsps.get(f"{V2}/project/gh/acme/api/settings", json={"advanced": {"build_fork_prs": True}})
    rsps.post(f"{V1}/project/github/acme/api/follow", json={"following": True, "first_build": None})
    assert api.get_project("gh/acme/api")["id"] == "p"
    assert api.get_project_settings("gh/acme/api") == {"build_fork_prs": True}
    assert api.follow_project("gh/acme/api")["following"] is True
    with pytest.raises(ReconcilerError):
        api.get_project("acme/api")


def test_missing_project_is_none(rsps: Any, api: CircleCI) -> None:
    rsps.get(f"{V2}/project/gh%2Facme%2Fnope", status=404, json={"message": "Project not found"})
    assert api.get_project("gh/acme/nope") is None


def test_project_shapes_old_and_new(rsps: Any, api: CircleCI) -> None:
    rsps.get(
        f"{V2}/project/gh%2FCircleCI-Public%2Fapi-preview-docs",
        json=recorded("docs-project-get-200-2020.json"),
    )
    old = api.get_project("gh/CircleCI-Public/api-preview-docs")
    assert old["id"] is None and old["organization_id"] is None  # 2020 answers lacked them
    assert old["vcs_info"]["default_branch"] == "master"


def test_collaborations_accept_both_spellings_and_org_fallback(rsps: Any, api: CircleCI) -> None:
    body = recorded("me-collaborations-200-standalone-orgs.json")
    body.append({"vcs-type": "github", "slug": "gh/acme", "name": "acme", "id": None})
    rsps.get(f"{V2}/organization/github/acme", status=404, json={"message": "Not found."})
    rsps.get(f"{V2}/me/collaborations", json=body)
    org = api.get_organization("github/acme")  # long form matches the short slug
    assert org == {"vcs_type": "github", "slug": "gh/acme", "name": "acme", "id": None}


def test_get_organization_direct_and_unknown(rsps: Any, api: CircleCI) -> None:
    rsps.get(f"{V2}/me/collaborations", json=[])
    rsps.get(
        f"{V2}/organization/{ORG}",
        json={"id": ORG, "name": "W", "slug": "circleci/x", "vcs_type": "circleci"},
    )
    assert api.get_organization(ORG)["slug"] == "circleci/x"
    rsps.get(
        f"{V2}/organization/gh/ghost", status=404, json={"message": "Organization does not exist."}
    )
    with pytest.raises(NotFound, match="gh/ghost"):
        api.get_organization("gh/ghost")


def test_env_vars_accept_both_timestamp_spellings(rsps: Any, api: CircleCI) -> None:
    rsps.get(
        f"{V2}/project/gh%2Fa%2Fb/envvar",
        json={
            "items": [
                {"name": "A", "value": "xxxx1234", "created-at": "2023-04-14T21:20:14Z"},
                {"name": "B", "value": "xxxx", "created_at": None},
                {"name": "C", "value": "xxxxr"},
            ],
            "next_page_token": None,
        },
    )
    assert api.list_project_env_vars("gh/a/b") == [
        {"name": "A", "value": "xxxx1234", "created_at": "2023-04-14T21:20:14Z"},
        {"name": "B", "value": "xxxx", "created_at": None},
        {"name": "C", "value": "xxxxr", "created_at": None},
    ]


def test_delete_answers_false_when_already_gone(rsps: Any, api: CircleCI) -> None:
    rsps.delete(
        f"{V2}/project/gh%2Fa%2Fb/envvar/GONE",
        status=404,
        json={"message": "Environment variable not found."},
    )
    rsps.delete(f"{V2}/project/gh%2Fa%2Fb/envvar/HERE", json={"message": "ok"})
    assert api.delete_project_env_var("gh/a/b", "GONE") is False
    assert api.delete_project_env_var("gh/a/b", "HERE") is True


def test_a_403_on_a_context_is_unknown_not_gone(rsps: Any, api: CircleCI) -> None:
    rsps.get(f"{V2}/context/{CTX}", status=403, json={"message": "Permission denied."})
    rsps.delete(f"{V2}/context/{CTX}", status=403, json={"message": "Permission denied."})
    with pytest.raises(PermissionDenied):
        api.get_context(CTX)
    with pytest.raises(PermissionDenied):
        api.delete_context(CTX)


def test_checkout_keys_v1_and_spec_spellings(rsps: Any, api: CircleCI) -> None:
    v1 = recorded("checkout-key-v1-list-200.json")[0]
    v1["type"] = "github-user-key"
    spec = {
        "public-key": "ssh-rsa B",
        "type": "deploy-key",
        "fingerprint": "aa:bb",
        "preferred": True,
        "created-at": "2024-01-01T00:00:00Z",
    }
    rsps.get(
        f"{V2}/project/gh%2Fa%2Fb/checkout-key", json={"items": [v1, spec], "next_page_token": None}
    )
    first, second = api.list_checkout_keys("gh/a/b")
    assert first["type"] == "user-key" and first["created_at"] == "2017-02-18T23:39:07.884Z"
    assert first["public_key"].startswith("ssh-rsa") and not first["public_key"].endswith("\n")
    assert second["public_key"] == "ssh-rsa B" and second["created_at"] == "2024-01-01T00:00:00Z"


def test_checkout_key_fingerprint_path(rsps: Any, api: CircleCI) -> None:
    rsps.delete(f"{V2}/project/gh%2Fa%2Fb/checkout-key/c9:0b:1c", json={"message": "ok"})
    rsps.delete(
        f"{V2}/project/gh%2Fa%2Fb/checkout-key/SHA256:ab%2Bc%2Fd%3D", json={"message": "ok"}
    )
    assert api.delete_checkout_key("gh/a/b", "c9:0b:1c")
    assert api.delete_checkout_key("gh/a/b", "SHA256:ab+c/d=")


def test_contexts_by_owner_id_or_slug(rsps: Any, api: CircleCI) -> None:
    page = recorded("context-list-200.json")
    rsps.get(
        f"{V2}/context",
        json=page,
        match=[matchers.query_param_matcher({"owner-id": ORG, "owner-type": "organization"})],
    )
    rsps.get(
        f"{V2}/context",
        json=page,
        match=[
            matchers.query_param_matcher({"owner-slug": "gh/acme", "owner-type": "organization"})
        ],
    )
    assert [c["name"] for c in api.list_contexts(ORG)] == ["context1", "context2", "foobar"]
    assert len(api.list_contexts("gh/acme")) == 3


def test_create_context_body(rsps: Any, api: CircleCI) -> None:
    rsps.post(
        f"{V2}/context",
        json={"id": CTX, "name": "n", "created_at": "t"},
        match=[
            matchers.json_params_matcher(
                {"name": "n", "owner": {"id": ORG, "type": "organization"}}
            )
        ],
    )
    assert api.create_context(ORG, "n")["id"] == CTX


def test_context_env_vars_and_both_put_answers(rsps: Any, api: CircleCI) -> None:
    rsps.get(
        f"{V2}/context/{CTX}/environment-variable",
        json=recorded("context-envvar-list-item-redacted.json"),
    )
    rsps.put(
        f"{V2}/context/{CTX}/environment-variable/FOOBAR",
        json=recorded("context-envvar-put-200.json"),
        match=[matchers.json_params_matcher({"value": "v"})],
    )
    rsps.put(
        f"{V2}/context/{CTX}/environment-variable/OTHER",
        json={"message": "Environment variable updated."},
    )
    [item] = api.list_context_env_vars(CTX)
    assert (
        item["name"] == "VARIABLE_NAME"
        and item["truncated_value"] is None
        and "variable" not in item
    )
    put = api.put_context_env_var(CTX, "FOOBAR", "v")
    assert put["name"] == "FOOBAR" and put["updated_at"] is None
    assert api.put_context_env_var(CTX, "OTHER", "w")["name"] == "OTHER"


def test_restriction_create_fills_context_id(rsps: Any, api: CircleCI) -> None:
    rsps.post(
        f"{V2}/context/{CTX}/restrictions",
        status=201,
        json=recorded("docs-context-restriction-create-201-expression.json"),
        match=[
            matchers.json_params_matcher(
                {
                    "restriction_type": "expression",
                    "restriction_value": 'pipeline.git.branch == "main"',
                }
            )
        ],
    )
    made = api.create_context_restriction(CTX, "expression", 'pipeline.git.branch == "main"')
    assert made["context_id"] == CTX and made["name"] == ""


def test_restriction_probe_after_lost_answer(rsps: Any, api: CircleCI) -> None:
    rsps.post(f"{V2}/context/{CTX}/restrictions", body=requests.ConnectionError("reset"))
    rsps.get(
        f"{V2}/context/{CTX}/restrictions",
        json={
            "items": [
                {"id": "r1", "restriction_type": "project", "restriction_value": "p1"},
                {"id": "r2", "restriction_type": "expression", "restriction_value": "x"},
            ],
            "next_page_token": None,
        },
    )
    assert api.create_context_restriction(CTX, "expression", "x")["id"] == "r2"


def test_schedule_body_is_kebab_but_parameters_are_untouched(rsps: Any, api: CircleCI) -> None:
    body = {
        "name": "nightly",
        "description": None,
        "attribution_actor": "system",
        "parameters": {"branch": "main", "run-nightly": True, "deploy_prod": False},
        "timetable": {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON"]},
    }
    wire = {
        "name": "nightly",
        "description": None,
        "attribution-actor": "system",
        "parameters": {"branch": "main", "run-nightly": True, "deploy_prod": False},
        "timetable": {"per-hour": 1, "hours-of-day": [3], "days-of-week": ["MON"]},
    }
    answer = {
        "id": "s1",
        "name": "nightly",
        "description": None,
        "project-slug": "gh/a/b",
        "parameters": {"branch": "main", "run-nightly": True, "deploy_prod": False},
        "timetable": {"per-hour": 1, "hours-of-day": [3], "days-of-week": ["MON"]},
        "actor": {
            "id": "d9b3fcaa-6032-405a-8c75-40079ce33c3e",
            "login": "system-actor",
            "name": "Scheduled",
        },
        "created-at": "t1",
        "updated-at": "t2",
    }
    rsps.post(
        f"{V2}/project/gh%2Fa%2Fb/schedule",
        status=201,
        json=answer,
        match=[matchers.json_params_matcher(wire)],
    )
    rsps.patch(
        f"{V2}/schedule/s1",
        json=answer,
        match=[matchers.json_params_matcher({"timetable": wire["timetable"]})],
    )
    made = api.create_schedule("gh/a/b", body)
    assert made["parameters"] == {"branch": "main", "run-nightly": True, "deploy_prod": False}
    assert made["timetable"] == {
        "per_hour": 1,
        "hours_of_day": [3],
        "days_of_week": ["MON"],
        "days_of_month": None,
        "months": None,
    }
    assert made["attribution_actor"] == "system" and made["project_slug"] == "gh/a/b"
    assert made["updated_at"] == "t2"
    assert api.update_schedule("s1", {"timetable": body["timetable"]})["id"] == "s1"


def test_legacy_snake_schedule_list(rsps: Any, api: CircleCI) -> None:
    rsps.get(
        f"{V2}/project/gh%2Fa%2Fb/schedule",
        json=recorded("schedule-list-200-preview-2021-snake-case.json"),
    )
    [item] = api.list_schedules("gh/a/b")
    assert item["timetable"]["per_hour"] == 1 and item["attribution_actor"] == "system"
    assert item["parameters"] == {"branch": "master", "run_schedule": True}


def test_webhooks_both_spellings_and_kebab_body(rsps: Any, api: CircleCI) -> None:
    kebab = {
        "id": "w1",
        "name": "slack",
        "url": "https://h",
        "verify-tls": True,
        "signing-secret": "****",
        "scope": {"id": "p", "type": "project"},
        "events": ["workflow-completed"],
        "created-at": "a",
        "updated-at": "b",
    }
    snake = {
        "id": "w2",
        "name": "other",
        "url": "https://h",
        "verify_tls": False,
        "signing_secret": "****",
        "scope": {"id": "p", "type": "project"},
        "events": [],
        "created_at": "a",
        "updated_at": "b",
    }
    rsps.get(
        f"{V2}/webhook",
        json={"items": [kebab, snake], "next_page_token": None},
        match=[matchers.query_param_matcher({"scope-id": "p", "scope-type": "project"})],
    )
    first, second = api.list_webhooks("p")
    assert (
        first["verify_tls"],
        first["created_at"],
        second["verify_tls"],
        second["updated_at"],
    ) == (True, "a", False, "b")
    rsps.post(
        f"{V2}/webhook",
        status=201,
        json=kebab,
        match=[
            matchers.json_params_matcher(
                {
                    "name": "slack",
                    "url": "https://h",
                    "verify-tls": True,
                    "signing-secret": "s",
                    "events": ["workflow-completed"],
                    "scope": {"id": "p", "type": "project"},
                }
            )
        ],
    )
    made = api.create_webhook(
        {
            "name": "slack",
            "url": "https://h",
            "verify_tls": True,
            "signing_secret": "s",
            "events": ["workflow-completed"],
            "scope": {"id": "p", "type": "project"},
        }
    )
    assert made["id"] == "w1" and made["signing_secret"] == "****"


def test_groups(rsps: Any, api: CircleCI) -> None:
    rsps.get(
        f"{V2}/organizations/{ORG}/groups",
        json={
            "items": [{"id": "g", "name": "platform"}],
            "next_page_token": None,
            "total_count": 1,
        },
    )
    assert api.list_groups(ORG) == [{"id": "g", "name": "platform", "description": None}]


def test_patch_settings_returns_the_full_object(rsps: Any, api: CircleCI) -> None:
    full = {
        "advanced": {
            "autocancel_builds": True,
            "build_fork_prs": False,
            "pr_only_branch_overrides": ["main"],
        }
    }
    rsps.patch(
        f"{V2}/project/gh/a/b/settings",
        json=full,
        match=[matchers.json_params_matcher({"advanced": {"autocancel_builds": True}})],
    )
    assert api.patch_project_settings("gh/a/b", {"autocancel_builds": True}) == full["advanced"]
