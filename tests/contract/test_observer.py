"""The observer on synthetic werkzeug exchanges: it must catch wrong requests and answers,
accept right ones, route CircleCI's slug forms, keep secrets out of its messages, and apply
exceptions only where they are written."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from tests.contract import spec_index
from tests.support.contract import (
    ContractObserver,
    Exemption,
    make_observer,
    missing_spec_reason,
    off_contract,
)

pytestmark = pytest.mark.skipif(
    missing_spec_reason() is not None, reason=str(missing_spec_reason())
)

CTX = "6e1c6b0c-4c4a-4bfd-9e57-6c8d5b6e0c6f"
WHEN = "2021-11-06T00:25:40.393Z"
AUTH = {"Circle-Token": "t0ken"}
SECRET = "sup3r-s3cret-value"


def exchange(
    method: str,
    path: str,
    status: int,
    answer: Any,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    raw_uri: str | None = None,
    media: str = "application/json",
) -> tuple[Request, Response]:
    extra = {"RAW_URI": raw_uri} if raw_uri else {}
    builder = EnvironBuilder(
        path=path,
        method=method,
        headers=AUTH if headers is None else headers,
        query_string=query,
        json=body,
        environ_overrides=extra,
    )
    data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    return Request(builder.get_environ()), Response(data, status=status, content_type=media)


def run(observer: ContractObserver, *args: Any, **kwargs: Any) -> list[str]:
    observer(*exchange(*args, **kwargs))
    return observer.take_violations()


@pytest.fixture
def observer() -> ContractObserver:
    return ContractObserver(exemptions=[])


def context(**over: Any) -> dict[str, Any]:
    return {"id": CTX, "name": "aws-prod", "created_at": WHEN, **over}


def test_valid_exchanges_pass(observer: ContractObserver) -> None:
    listing = {"items": [context()], "next_page_token": None}
    assert run(observer, "GET", "/api/v2/context", 200, listing, query="owner-slug=gh/acme") == []
    assert (
        run(observer, "GET", f"/api/v2/context/{CTX}", 404, {"message": "Context not found."}) == []
    )
    project = "/api/v2/project/gh/acme/api/envvar"
    envvars = {"items": [{"name": "A", "value": "xxxx1234"}], "next_page_token": None}
    assert run(observer, "GET", project, 200, envvars) == []
    assert run(observer, "GET", project, 404, {"message": "Project not found"}) == []
    assert observer.checked() == {"listContexts": 1, "getContext": 1, "listEnvVars": 2}
    assert observer.statuses()["listEnvVars"] == {200, 404}


def test_wrong_response_is_caught(observer: ContractObserver) -> None:
    bad = context(id="not-a-uuid", extra=1)
    del bad["created_at"]
    found = run(observer, "GET", f"/api/v2/context/{CTX}", 200, bad)
    assert len(found) == 3, found
    assert any("/id: not a valid uuid" in m for m in found)
    assert any("/created_at: required property 'created_at' is missing" in m for m in found)
    assert any("/extra: property 'extra' is not in the schema" in m for m in found)
    assert all(m.startswith(f"GET /api/v2/context/{CTX} -> 200: response-body") for m in found)
    assert all(m.endswith("[getContext]") for m in found)


def test_wrong_status_media_type_and_empty_body_are_caught(observer: ContractObserver) -> None:
    path, body = "/api/v2/context", {"name": "c", "owner": {"slug": "gh/acme"}}
    found = run(observer, "POST", path, 409, {"message": "dup"}, body=body)
    assert found == [
        "POST /api/v2/context -> 409: response-status: status not declared "
        "(declares ['200', '401', '404', '429', '500']) [createContext]"
    ]
    found = run(observer, "POST", path, 429, b"Rate limited.", body=body, media="text/plain")
    assert found and "response-media-type at text/plain" in found[0]
    assert "response-body: empty" in run(observer, "DELETE", f"{path}/{CTX}", 200, b"")[0]


def test_wrong_request_is_caught_without_echoing_secrets(observer: ContractObserver) -> None:
    path = f"/api/v2/context/{CTX}/environment-variable/NPM_TOKEN"
    answer = {"variable": "NPM_TOKEN", "created_at": WHEN, "updated_at": WHEN, "context_id": CTX}
    assert run(observer, "PUT", path, 200, answer, body={"value": SECRET}) == []
    found = run(observer, "PUT", path, 200, answer, body={"value": [SECRET], "note": SECRET})
    assert sorted(m.split(": ", 1)[1] for m in found) == [
        "request-body at /note: property 'note' is not in the schema "
        "[addEnvironmentVariableToContext]",
        "request-body at /value: expected string, got array [addEnvironmentVariableToContext]",
    ]
    assert not any(SECRET in m or "t0ken" in m for m in found)


def test_request_parameters_and_credentials_are_checked(observer: ContractObserver) -> None:
    answer = {"message": "context_id is invalid."}
    found = run(observer, "GET", "/api/v2/context/nope/restrictions", 400, answer, headers={})
    assert len(found) == 2, found
    assert "request-path at context_id: not a valid uuid" in found[0] + found[1]
    assert "request-security: no credentials" in found[0] + found[1]
    hooks = "/api/v2/webhook"
    found = run(observer, "GET", hooks, 200, {"items": [], "next_page_token": None}, query="x=1")
    assert {m.split(" at ")[1].split(":")[0] for m in found} == {"x", "scope-id", "scope-type"}
    groups = f"/api/v2/organizations/{CTX}/groups"
    found = run(observer, "GET", groups, 200, {"items": []}, query="limit=ten")
    assert found == [
        f"GET {groups} -> 200: request-query at limit: expected integer [getOrganizationGroups]"
    ]


def test_other_credentials_the_spec_accepts(observer: ContractObserver) -> None:
    basic = {"Authorization": "Basic dDBrZW46"}
    assert run(observer, "GET", "/api/v2/me/collaborations", 200, [], headers=basic) == []
    found = run(
        observer, "GET", "/api/v2/me/collaborations", 200, [], headers={}, query="circle-token=t"
    )
    assert found == []  # the deprecated query credential is still in the spec
    bearer = {"Authorization": "Bearer t0ken"}  # documented by the guide, absent from the spec
    assert (
        "request-security"
        in run(observer, "GET", "/api/v2/me/collaborations", 200, [], headers=bearer)[0]
    )


def test_routes_slug_forms_and_unknown_routes(observer: ContractObserver) -> None:
    settings = {"advanced": {"autocancel_builds": True, "pr_only_branch_overrides": ["main"]}}
    assert run(observer, "GET", "/api/v2/project/gh/acme/api/settings", 200, settings) == []
    key = {"public-key": "k", "type": "deploy-key", "fingerprint": "f", "preferred": True}
    key["created-at"] = WHEN
    # An escaped slug, with a fingerprint that is also the literal of the job `tests` route.
    keys = "/api/v2/project/gh/acme/api/checkout-key"
    raw = "/api/v2/project/gh%2Facme%2Fapi/checkout-key/tests"
    assert run(observer, "GET", f"{keys}/tests", 200, key, raw_uri=raw) == []
    # A sha256 fingerprint keeps its escaped slash inside one segment.
    raw = f"{keys}/SHA256%2Fabc"
    assert run(observer, "GET", f"{keys}/SHA256/abc", 200, key, raw_uri=raw) == []
    assert observer.checked() == {"getProjectSettings": 1, "getCheckoutKey": 2}
    unknown = f"/api/v2/context/{CTX}/secrets"
    found = run(observer, "GET", unknown, 200, {})
    assert found == [f"GET {unknown} -> 200: request-route: path not in the spec [(no operation)]"]
    found = run(observer, "DELETE", "/api/v2/me", 405, {})
    assert "method not in the spec for this path" in found[0]


def test_out_of_scope_routes_are_not_checked(observer: ContractObserver) -> None:
    assert run(observer, "GET", "/api/v1.1/project/github/acme/api/envvar", 200, b"nonsense") == []
    assert run(observer, "POST", "/_emulator/reset", 200, b"") == []
    assert observer.checked() == {}


def test_spec_readings_nullable_and_composed_objects(observer: ContractObserver) -> None:
    listing = "/api/v2/project/gh/acme/api/checkout-key"
    assert run(observer, "GET", listing, 200, {"items": [], "next_page_token": None}) == []
    assert (
        "expected string, got null"
        in run(
            observer,
            "GET",
            "/api/v2/me",
            200,
            {"id": CTX, "login": None, "name": "n", "avatar_url": None},
        )[0]
    )
    composed = {"additionalProperties": False, "anyOf": [{"type": "object"}]}
    assert "additionalProperties" not in spec_index.normalise(composed)
    plain = {"additionalProperties": False, "properties": {}, "anyOf": [{"type": "object"}]}
    assert spec_index.normalise(plain)["additionalProperties"] is False
    assert spec_index.normalise({"x-nullable": True, "x-codeSamples": []}) == {"nullable": True}


def test_spec_readings_page_token_and_gateway_answers(observer: ContractObserver) -> None:
    envvars = "/api/v2/project/gh/acme/api/envvar"
    page = {"items": [], "next_page_token": None}
    assert run(observer, "GET", envvars, 200, page, query="page-token=abc") == []
    found = run(observer, "GET", envvars, 200, page, query="page_token=abc")
    assert found == [
        f"GET {envvars} -> 200: request-query at page_token: not a parameter of the operation "
        "[listEnvVars]"
    ]
    assert "page-token" in run(observer, "GET", "/api/v2/me", 200, {}, query="page-token=a")[0]
    # A gateway's 502 is no API answer; the request that met it is still checked.
    gateway = b"502 Bad Gateway\n"
    found = run(
        observer, "POST", "/api/v2/context", 502, gateway, body={"name": "c"}, media="text/plain"
    )
    assert found == [
        "POST /api/v2/context -> 502: request-body at /owner: required property 'owner' is "
        "missing [createContext]"
    ]
    assert observer.statuses()["createContext"] == {502}


def test_exemption_applies_only_where_written() -> None:
    rename = Exemption(
        id="vcs",
        operations=("getCollaborations",),
        statuses=(200,),
        aspect="response-body",
        field="/*/vcs-type",
        keyword="required",
        renamed_to="vcs_type",
    )
    observer = ContractObserver(exemptions=[rename])
    path = "/api/v2/me/collaborations"
    org = {"id": CTX, "name": "acme", "avatar_url": "a", "slug": "gh/acme"}
    assert run(observer, "GET", path, 200, [{**org, "vcs_type": "github"}]) == []
    assert observer.exempted == {"vcs": 1}
    assert len(run(observer, "GET", path, 200, [org])) == 1  # neither spelling: not excused
    assert len(run(observer, "GET", path, 200, [{"vcs_type": "g"}])) == 4  # other fields are


def test_counts_are_exact_under_concurrency(observer: ContractObserver) -> None:
    pair = exchange("GET", "/api/v2/me/collaborations", 200, [{"vcs_type": "github"}])

    def hammer() -> None:
        for _ in range(50):
            observer(*pair)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert observer.checked() == {"getCollaborations": 200}
    assert len(observer.take_violations()) == 200 * 5  # id, vcs-type, name, avatar_url, slug
    assert observer.take_violations() == []


def test_missing_spec_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv(spec_index.SPEC_ENV, str(tmp_path / "absent.json"))
    monkeypatch.delenv("CI", raising=False)
    assert "not found" in str(missing_spec_reason())
    assert make_observer() is None
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="may not be skipped"):
        make_observer()


def test_off_contract_blocks_must_raise_exactly_what_they_expect(
    observer: ContractObserver,
) -> None:
    path = f"/api/v2/context/{CTX}/environment-variable/A"
    answer = {"message": "Unexpected JSON field 'note'."}
    run_only = exchange("PUT", path, 404, answer, body={"note": 1})
    observer(*exchange("GET", "/api/v2/me", 200, {}))  # raised before the block
    with off_contract(observer, "at /note", "at /value") as seen:
        observer(*run_only)
    assert len(seen) == 2
    with pytest.raises(AssertionError, match="never raised"):
        with off_contract(observer, "at /note", "request-security"):
            observer(*run_only)
    with pytest.raises(AssertionError, match="unexpected violations"):
        with off_contract(observer, "at /note"):
            observer(*run_only)
    assert len(observer.take_violations()) == 4  # GET /me's, kept for the test's teardown
    with off_contract(None, "anything") as seen:
        pass
    assert seen == []


def test_a_crash_inside_the_check_is_reported_not_raised(observer: ContractObserver) -> None:
    class Broken:
        path, method, environ = "/api/v2/me", "GET", {}

        @property
        def headers(self) -> Any:
            raise RuntimeError(SECRET)

    observer(Broken(), Response(b"{}"))
    assert observer.take_violations() == ["GET /api/v2/me: contract check crashed (RuntimeError)"]


def test_the_specs_own_examples_pass() -> None:
    """No false alarms on the shapes the spec itself documents (about 300 examples)."""
    index = spec_index.spec_index(str(spec_index.spec_path()))
    checked = 0
    for route in index.routes:
        bodies = [(route.op.get("requestBody"), f"{route.pointer}/requestBody", True)]
        for code, answer in route.op["responses"].items():
            bodies.append((answer, f"{route.pointer}/responses/{code}", False))
        for node, pointer, writing in bodies:
            if node is None:
                continue
            node, pointer = index.deref(node, pointer)
            for media, content in node.get("content", {}).items():
                examples = [
                    e["value"] for e in content.get("examples", {}).values() if "value" in e
                ]
                examples += [content["example"]] if "example" in content else []
                schema = f"{pointer}/content/{spec_index.esc(media)}/schema"
                for example in examples:
                    errors = list(index.validator(schema, writing).iter_errors(example))
                    assert not errors, (route.operation_id, pointer)
                    checked += 1
    assert checked > 250
