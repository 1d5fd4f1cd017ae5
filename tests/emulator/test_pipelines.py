"""The emulator's pipeline definition and trigger routes refuse what CircleCI refuses
(ENDPOINTS.md §12): immutable fields, provider and preset mismatches, unknown repository
ids; lists carry no page token; a webhook trigger gets a URL with a secret."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.harness import TOKEN
from tests.e2e.pipelines_seed import PROJECT_ID, definitions, seed
from tests.emulator.helpers import off_spec

HEADERS = {"Circle-Token": TOKEN}


@pytest.fixture
def api(emulator_factory: Any) -> Any:
    world = emulator_factory(seed=seed(), tokens=())
    base = f"{world.api}/projects/{PROJECT_ID}"
    d = definitions(world.state())["build"]

    def call(method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, base + path, json=body, headers=HEADERS, timeout=10)

    call.definition = d["id"]  # type: ignore[attr-defined]
    return call


def _trigger(api: Any, body: dict[str, Any]) -> requests.Response:
    return api("POST", f"/pipeline-definitions/{api.definition}/triggers", body)


def test_lists_have_items_and_no_page_token(api: Any) -> None:
    listed = api("GET", "/pipeline-definitions").json()
    assert set(listed) == {"items"} and len(listed["items"]) == 1
    triggers = api("GET", f"/pipeline-definitions/{api.definition}/triggers").json()
    assert set(triggers) == {"items"}


def test_unknown_repository_id_is_refused(api: Any) -> None:
    body = {
        "name": "x",
        "config_source": {
            "provider": "github_app",
            "repo": {"external_id": "999"},
            "file_path": "a",
        },
        "checkout_source": {"provider": "github_app", "repo": {"external_id": "10001"}},
    }
    answer = api("POST", "/pipeline-definitions", body)
    assert answer.status_code == 400 and answer.json() == {"message": "Repository not found."}
    body["config_source"]["repo"] = {"external_id": "10001"}
    made = api("POST", "/pipeline-definitions", body)
    assert made.status_code == 200  # create answers 200
    assert made.json()["config_source"]["repo"] == {"full_name": "acme/api", "external_id": "10001"}


def test_config_provider_and_repo_cannot_change(api: Any, contract_observer: Any) -> None:
    path = f"/pipeline-definitions/{api.definition}"
    for source in ({"provider": "circleci"}, {"repo": {"external_id": "10001"}}):
        with off_spec(contract_observer, "is not in the schema"):  # the body we malform
            answer = api("PATCH", path, {"config_source": source})
        assert answer.status_code == 400
        assert answer.json()["message"].startswith("Unexpected JSON field 'config_source.")
    assert api("PATCH", path, {"config_source": {"file_path": "b.yml"}}).status_code == 200


@pytest.mark.parametrize("key", ["name", "description"])
def test_a_null_name_or_description_is_refused_not_stored(
    api: Any, contract_observer: Any, key: str
) -> None:
    path = f"/pipeline-definitions/{api.definition}"
    with off_spec(contract_observer, "got null"):  # the body we malform
        answer = api("PATCH", path, {key: None})
    assert answer.status_code == 400
    assert answer.json() == {"message": f"JSON field '{key}' is of incorrect type."}
    assert api("GET", path).json()["name"] == "build"


def test_trigger_refusals(api: Any) -> None:
    repo = {"external_id": "10001"}
    hook = {"provider": "webhook", "webhook": {"sender": "x"}}
    refused = [
        {"event_source": hook, "event_preset": "all-pushes", "event_name": "n",
         "checkout_ref": "main", "config_ref": "main"},
        {"event_source": {"provider": "github_app", "repo": repo}, "checkout_ref": "main"},
        {"event_source": {"provider": "github_oauth", "repo": repo}},
        {"event_source": {"provider": "github_app", "repo": {"external_id": "404"}}},
        {"event_source": hook, "event_name": "n"},  # no refs
        {"event_source": {"provider": "schedule", "schedule": {"cron_expression": "0 25 * * *"}},
         "event_name": "n", "checkout_ref": "main", "config_ref": "main"},
        {"event_source": {"provider": "github_app", "repo": repo}, "event_name": "n"},
        *(
            {"event_source": {"provider": "schedule", "schedule": {"cron_expression": backwards}},
             "event_name": "n", "checkout_ref": "main", "config_ref": "main"}
            for backwards in ("0 5-2 * * *", "0 0 * * FRI-MON", "0 0 * DEC-JAN *")
        ),
    ]  # fmt: skip
    for body in refused:
        answer = _trigger(api, body)
        assert answer.status_code == 400, body
        assert set(answer.json()) == {"message"}


def test_refs_only_and_always_for_a_repository_neither_of_the_definitions(api: Any) -> None:
    app, docs = {"external_id": "10001"}, {"external_id": "20002"}
    split = api(
        "POST",
        "/pipeline-definitions",
        {
            "name": "split",
            "config_source": {"provider": "github_app", "repo": docs, "file_path": "a.yml"},
            "checkout_source": {"provider": "github_app", "repo": app},
        },
    ).json()["id"]
    refs = {"checkout_ref": "main", "config_ref": "main"}
    on = f"/pipeline-definitions/{split}/triggers"
    for repo in (app, docs):  # the checkout's and the config's: refs are refused
        for ref in ("checkout_ref", "config_ref"):
            body = {"event_source": {"provider": "github_app", "repo": repo}, ref: "main"}
            assert api("POST", on, body).status_code == 400, (repo, ref)
    other = {"event_source": {"provider": "github_app", "repo": docs}}  # build's is 10001
    assert _trigger(api, other).json() == {"message": "Missing one or more JSON fields."}
    assert _trigger(api, {**other, "checkout_ref": "main"}).status_code == 400
    assert _trigger(api, {**other, **refs}).status_code == 200


def test_a_trigger_keeps_its_provider_and_only_webhooks_toggle_disabled(
    api: Any, contract_observer: Any
) -> None:
    made = _trigger(
        api, {"event_source": {"provider": "github_app", "repo": {"external_id": "10001"}}}
    ).json()
    path = f"/triggers/{made['id']}"
    assert "pipeline_definition" not in str(made)  # the answer does not name its definition
    with off_spec(contract_observer, "is not in the schema"):  # the body we malform
        assert api("PATCH", path, {"event_source": {"provider": "webhook"}}).status_code == 400
    assert api("PATCH", path, {"disabled": True}).status_code == 400
    assert api("PATCH", path, {"event_preset": "only-tags"}).json()["event_preset"] == "only-tags"


def test_a_webhook_trigger_gets_a_url_with_a_secret(api: Any) -> None:
    body = {
        "event_source": {"provider": "webhook", "webhook": {"sender": "datadog"}},
        "event_name": "alerts",
        "checkout_ref": "main",
        "config_ref": "main",
    }
    made = _trigger(api, body).json()
    assert "?secret=" in made["event_source"]["webhook"]["url"]
    answer = api("PATCH", f"/triggers/{made['id']}", {"disabled": True})
    assert answer.status_code == 200 and answer.json()["disabled"] is True
    assert api("DELETE", f"/triggers/{made['id']}").json() == {"message": "Trigger deleted."}
    assert api("GET", f"/triggers/{made['id']}").status_code == 404


def test_deleting_a_definition_deletes_its_triggers(api: Any, emulator_factory: Any) -> None:
    assert api("DELETE", f"/pipeline-definitions/{api.definition}").status_code == 200
    assert api("GET", f"/pipeline-definitions/{api.definition}/triggers").status_code == 404
