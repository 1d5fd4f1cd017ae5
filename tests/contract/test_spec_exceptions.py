"""One test per entry of spec_exceptions.yaml: the recording and the spec disagree (the observer
without exceptions rejects the recorded answer), the entry excuses exactly that, and the
emulator answers as the recording does."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.contract.spec_check import Exchange
from tests.contract.spec_index import REPO_ROOT, spec_index, spec_path
from tests.support.contract import ContractObserver, load_exemptions, missing_spec_reason

SHARED = REPO_ROOT.parent / "shared" / "circleci-api"
pytestmark = pytest.mark.skipif(
    missing_spec_reason() is not None, reason=str(missing_spec_reason())
)

SEED = {
    "organizations": {
        "gh/acme": {
            "projects": {"gh/acme/api": {"env_vars": {"NPM_TOKEN": "s3cr3t-value"}}},
            "contexts": {"aws-prod": {}},
        }
    }
}


def fixture(name: str) -> dict[str, Any]:
    path = SHARED / "fixtures" / name
    if not path.is_file():
        pytest.skip(f"recording {path} is not here")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def behaviour() -> str:
    path = SHARED / "BEHAVIOUR.md"
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    return path.read_text(encoding="utf-8")


def replay(observer: ContractObserver, method: str, path: str, status: int, body: Any) -> list[str]:
    """The recorded answer as an exchange; a str body is sent as text, anything else as JSON."""
    text = isinstance(body, str)
    data = body.encode() if text else json.dumps(body).encode()
    media = "text/plain" if text else "application/json"
    ex = Exchange(method, path, headers={"circle-token": "t"}, status=status)
    ex.response_headers, ex.response_body = {"content-type": media}, data
    return [v.message() for v in observer.observe(ex)]


def declared(operation: str) -> set[str]:
    index = spec_index(str(spec_path()))
    route = next(r for r in index.routes if r.operation_id == operation)
    return set(route.op["responses"])


@pytest.fixture
def strict() -> ContractObserver:
    return ContractObserver(exemptions=[])


@pytest.fixture
def lenient() -> ContractObserver:
    return ContractObserver()


@pytest.fixture
def emu(emulator_factory: Any) -> Any:
    return emulator_factory(seed=SEED)


def call(emu: Any, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Circle-Token": emu.token}
    return requests.request(method, emu.api + path, headers=headers, timeout=10, **kwargs)


def excused(observer: Any, entry: str, before: int) -> None:
    """The session observer saw the emulator's answer and excused it by `entry`, no other way."""
    if observer is not None:
        assert observer.exempted[entry] > before


def test_collaborations_vcs_type(strict, lenient, emu, contract_observer) -> None:
    rec = fixture("me-collaborations-200-standalone-orgs.json")["response"]
    found = replay(strict, "GET", "/api/v2/me/collaborations", 200, rec["body"])
    assert len(found) == 2 and all("/vcs-type: required property" in m for m in found), found
    assert replay(lenient, "GET", "/api/v2/me/collaborations", 200, rec["body"]) == []
    renamed_back = [{**o, "vcs-type": o["vcs_type"]} for o in rec["body"]]  # the spec's shape
    assert replay(strict, "GET", "/api/v2/me/collaborations", 200, renamed_back) == []
    before = getattr(contract_observer, "exempted", {}).get("collaborations-vcs_type", 0)
    orgs = call(emu, "GET", "/me/collaborations").json()
    assert orgs and all("vcs_type" in o and "vcs-type" not in o for o in orgs)
    excused(contract_observer, "collaborations-vcs_type", before)


def test_rate_limit_plain_text(strict, lenient, emulator_factory, contract_observer) -> None:
    rec = fixture("error-429-rate-limited-plain-text.json")["response"]
    assert (rec["status"], rec["body"]) == (429, "Rate limited.")
    found = replay(strict, "GET", "/api/v2/context", 429, rec["body"])
    assert found == [
        "GET /api/v2/context -> 429: response-media-type at text/plain: "
        "expected one of ['application/json'] [listContexts]"
    ]
    assert replay(lenient, "GET", "/api/v2/context", 429, rec["body"]) == []
    # Narrow: the same text on another status, or a 429 with a broken JSON body, still fails.
    assert replay(lenient, "GET", "/api/v2/context", 500, rec["body"]) != []
    assert replay(lenient, "GET", "/api/v2/context", 429, {"message": 1}) != []
    # The front end's limit covers the organization's settings routes as well.
    orbs = "/api/v2/organization/gh/acme/url-orb-allow-list"
    assert replay(lenient, "GET", orbs, 429, rec["body"]) == []
    before = getattr(contract_observer, "exempted", {}).get("rate-limit-plain-text", 0)
    emu = emulator_factory(seed=SEED, rate_limit=2)
    deadline = time.monotonic() + 5
    while (resp := call(emu, "GET", "/me")).status_code != 429:
        assert time.monotonic() < deadline, "the emulator never rate-limited"
    assert resp.text == "Rate limited." and resp.headers["Content-Type"].startswith("text/plain")
    assert "Retry-After" in resp.headers
    excused(contract_observer, "rate-limit-plain-text", before)


def test_deleted_context_403(strict, lenient, emu, contract_observer) -> None:
    assert "a GET on a *deleted* context returned 403" in behaviour()
    assert "403" not in declared("getContext") and "default" not in declared("getContext")
    path = "/api/v2/context/6e1c6b0c-4c4a-4bfd-9e57-6c8d5b6e0c6f"
    denied = {"message": "Permission denied."}
    assert "status not declared" in replay(strict, "GET", path, 403, denied)[0]
    assert replay(lenient, "GET", path, 403, denied) == []
    assert replay(lenient, "POST", path + "/restrictions", 403, denied) != []  # not writes
    before = getattr(contract_observer, "exempted", {}).get("deleted-context-403", 0)
    owner = call(emu, "GET", "/project/gh/acme/api").json()["organization_id"]
    listing = call(emu, "GET", "/context", params={"owner-id": owner}).json()
    context_id = listing["items"][0]["id"]
    assert call(emu, "DELETE", f"/context/{context_id}").status_code == 200
    for tail in ("", "/environment-variable", "/restrictions"):
        assert call(emu, "GET", f"/context/{context_id}{tail}").status_code == 403
    excused(contract_observer, "deleted-context-403", before)


def test_deleted_context_delete_403(strict, lenient, emu, contract_observer) -> None:
    assert "403" not in declared("deleteContext") and "default" not in declared("deleteContext")
    path = "/api/v2/context/6e1c6b0c-4c4a-4bfd-9e57-6c8d5b6e0c6f"
    denied = {"message": "Permission denied."}
    assert "status not declared" in replay(strict, "DELETE", path, 403, denied)[0]
    assert replay(lenient, "DELETE", path, 403, denied) == []
    before = getattr(contract_observer, "exempted", {}).get("deleted-context-delete-403", 0)
    made = call(emu, "POST", "/context", json={"name": "gone", "owner": {"slug": "gh/acme"}})
    context_id = made.json()["id"]
    assert call(emu, "DELETE", f"/context/{context_id}").status_code == 200
    again = call(emu, "DELETE", f"/context/{context_id}")
    assert (again.status_code, again.json()) == (403, denied)
    excused(contract_observer, "deleted-context-delete-403", before)


def test_duplicate_context_409(strict, lenient, emu, contract_observer) -> None:
    rec = fixture("context-create-409-or-400-duplicate-name.json")
    message = rec["response"]["body"]["message"]
    assert rec["response"]["status"] is None  # the recording does not show the status
    assert declared("createContext") == {"200", "401", "404", "429", "500"}
    assert (
        "status not declared"
        in replay(strict, "POST", "/api/v2/context", 409, {"message": message})[0]
    )
    assert replay(lenient, "POST", "/api/v2/context", 409, {"message": message}) == []
    before = getattr(contract_observer, "exempted", {}).get("duplicate-context-409", 0)
    body = {"name": "orb-publishing", "owner": {"slug": "gh/acme", "type": "organization"}}
    assert call(emu, "POST", "/context", json=body).status_code == 200
    again = call(emu, "POST", "/context", json=body)
    assert (again.status_code, again.json()) == (409, {"message": message})
    excused(contract_observer, "duplicate-context-409", before)


def test_project_env_var_created_at_needs_no_exception(strict, emu) -> None:
    # BEHAVIOUR.md §5: the name is disputed (created-at vs created_at), but no v2 recording
    # exists, and the spec gives `created-at` no type: the emulator's answer passes as is.
    answer = call(emu, "GET", "/project/gh%2Facme%2Fapi/envvar")
    assert answer.status_code == 200
    assert replay(strict, "GET", "/api/v2/project/gh/acme/api/envvar", 200, answer.json()) == []


def test_every_exception_is_tested_and_names_real_operations() -> None:
    tested = {"collaborations-vcs_type", "rate-limit-plain-text", "deleted-context-403"}
    tested |= {"duplicate-context-409", "deleted-context-delete-403"}
    tested |= {
        f"trigger-{what}-{side}"
        for what in ("schedule", "parameters")
        for side in ("request", "response")
    }
    entries = load_exemptions()
    assert {e.id for e in entries} == tested
    operations = {r.operation_id for r in spec_index(str(spec_path())).routes}
    for e in entries:
        assert set(e.operations) <= operations, e.id
        assert e.aspect.startswith(("request-", "response-")), e.id


def test_an_exception_without_evidence_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text(
        "exceptions:\n  - {id: x, operations: [getCurrentUser], statuses: [200],"
        " aspect: response-body, field: /id, keyword: format}\n"
    )
    with pytest.raises(ValueError, match="names no evidence"):
        load_exemptions(path)


def test_schedule_triggers_and_parameters_follow_the_newer_spec(
    strict, lenient, emulator_factory, contract_observer
) -> None:
    """ENDPOINTS.md's [new] notes: a `schedule` provider and `parameters`, which the saved
    spec lacks; the emulator answers with them, and the entries excuse exactly those."""
    notes = (SHARED / "ENDPOINTS.md").read_text(encoding="utf-8")
    assert "[new] schedule {cron_expression}" in notes and "[new] `parameters`" in notes
    from tests.e2e.pipelines_seed import PROJECT_ID, definitions, seed

    emu = emulator_factory(seed=seed(), tokens=())
    from tests.e2e.harness import TOKEN

    headers = {"Circle-Token": TOKEN}
    d = next(iter(definitions(emu.state()).values()))
    path = f"/projects/{PROJECT_ID}/pipeline-definitions/{d['id']}/triggers"
    body = {
        "event_source": {
            "provider": "schedule",
            "schedule": {"cron_expression": "0 2 * * *", "attribution_actor": "system"},
        },
        "event_name": "nightly",
        "checkout_ref": "main",
        "config_ref": "main",
        "parameters": {"deploy": True},
    }
    before = dict(getattr(contract_observer, "exempted", {}))
    made = requests.post(emu.api + path, json=body, headers=headers, timeout=10)
    assert made.status_code == 200, made.text
    answer = made.json()
    assert answer["event_source"]["schedule"] == {"cron_expression": "0 2 * * *"}
    assert answer["parameters"] == {"deploy": True}
    found = replay(strict, "GET", f"/api/v2{path}", 200, {"items": [answer]})
    assert sorted(m.split(": ", 1)[1].split(" [")[0] for m in found) == [
        "response-body at /items/0/event_source/schedule: property 'schedule' is not in the schema",
        "response-body at /items/0/parameters: property 'parameters' is not in the schema",
    ]
    assert replay(lenient, "GET", f"/api/v2{path}", 200, {"items": [answer]}) == []
    for entry in ("trigger-schedule-request", "trigger-parameters-request"):
        excused(contract_observer, entry, before.get(entry, 0))
    for entry in ("trigger-schedule-response", "trigger-parameters-response"):
        excused(contract_observer, entry, before.get(entry, 0))
