"""Schedules (with the recorded 2021 item as reference) and outbound webhooks."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import Client, off_spec, recorded, standard_seed

SYSTEM_ACTOR_ID = "d9b3fcaa-6032-405a-8c75-40079ce33c3e"
NIGHTLY = {
    "name": "nightly",
    "description": "Nightly build",
    "attribution-actor": "system",
    "parameters": {"branch": "main"},
    "timetable": {"per-hour": 1, "hours-of-day": [3], "days-of-week": ["MON", "FRI"]},
}


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=standard_seed(), page_size=10)


@pytest.fixture
def api(emu):
    return Client(emu.api, emu.token)


def test_schedule_item_matches_the_recorded_one_in_kebab_case(api):
    item = recorded("schedule-list-200-preview-2021-snake-case.json")["response"]["body"][0]
    body = {
        "name": item["name"],
        "description": item["description"],
        "attribution-actor": "system",
        "parameters": item["parameters"],
        "timetable": {k.replace("_", "-"): v for k, v in item["timetable"].items()},
    }
    assert api.post("/project/github/acme/api/schedule", json=body).status_code == 201
    listed = api.get("/project/gh%2Facme%2Fapi/schedule").json()
    assert listed["next_page_token"] is None
    ours = listed["items"][0]
    # Today's API spells the 2021 keys in kebab-case and adds updated-at.
    for key, value in item.items():
        kebab = key.replace("_", "-")
        if key == "timetable":
            assert ours[kebab] == body["timetable"]
        elif key == "actor":
            assert {ours["actor"][k] for k in ("login", "name")} == {value["login"], value["name"]}
            assert ours["actor"]["id"] == SYSTEM_ACTOR_ID
        elif key == "project_slug":
            assert ours[kebab] == "gh/acme/api"
        elif key not in ("id", "created_at"):
            assert ours[kebab] == value, key
    assert "attribution-actor" not in ours and ours["updated-at"] >= ours["created-at"]


def test_current_actor_is_the_token_user_and_patch_moves_updated_at(api):
    made = api.post(
        "/project/gh/acme/api/schedule", json={**NIGHTLY, "attribution-actor": "current"}
    )
    schedule = made.json()
    me = api.get("/me").json()
    assert schedule["actor"]["login"] == me["login"] and schedule["actor"]["id"] == me["id"]
    patched = api.patch(
        f"/schedule/{schedule['id']}",
        json={"attribution-actor": "system", "timetable": {**NIGHTLY["timetable"], "per-hour": 2}},
    ).json()
    assert patched["actor"]["login"] == "system-actor"
    assert patched["timetable"]["per-hour"] == 2 and patched["name"] == "nightly"
    assert patched["updated-at"] > schedule["updated-at"]
    assert patched["created-at"] == schedule["created-at"]
    assert api.get(f"/schedule/{schedule['id']}").json() == patched
    assert api.delete(f"/schedule/{schedule['id']}").json() == {"message": "Schedule deleted."}
    assert api.get(f"/schedule/{schedule['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"timetable": {**NIGHTLY["timetable"], "per-hour": 0}}, "per-hour"),
        ({"timetable": {**NIGHTLY["timetable"], "per-hour": 61}}, "per-hour"),
        ({"timetable": {**NIGHTLY["timetable"], "hours-of-day": [24]}}, "hours-of-day"),
        ({"timetable": {**NIGHTLY["timetable"], "days-of-month": [1]}}, "exactly one"),
        ({"timetable": {"per-hour": 1, "hours-of-day": [1]}}, "exactly one"),
        ({"timetable": {**NIGHTLY["timetable"], "days-of-week": ["MONDAY"]}}, "days-of-week"),
        ({"timetable": {**NIGHTLY["timetable"], "months": ["JANUARY"]}}, "months"),
        ({"timetable": {**NIGHTLY["timetable"], "per_hour": 1}}, "per_hour"),
        ({"parameters": {"deploy": True}}, "branch"),
        ({"attribution-actor": "robot"}, "attribution-actor"),
    ],
)
def test_schedule_validation(api, contract_observer, change, words):
    with off_spec(contract_observer, "request-body"):
        resp = api.post("/project/gh/acme/api/schedule", json={**NIGHTLY, **change})
    assert resp.status_code == 400
    assert words.lower() in resp.json()["message"].lower()


def test_schedule_names_are_unique_per_project(api):
    assert api.post("/project/gh/acme/api/schedule", json=NIGHTLY).status_code == 201
    assert api.post("/project/gh/acme/api/schedule", json=NIGHTLY).status_code == 409
    assert api.post("/project/gh/acme/web/schedule", json=NIGHTLY).status_code == 201
    monthly = {
        **NIGHTLY,
        "name": "monthly",
        "timetable": {"per-hour": 1, "hours-of-day": [0], "days-of-month": [1]},
    }
    other = api.post("/project/gh/acme/api/schedule", json=monthly).json()
    assert api.patch(f"/schedule/{other['id']}", json={"name": "nightly"}).status_code == 409


def hook(project_id: str, **change) -> dict:
    return {
        "name": "slack",
        "events": ["workflow-completed"],
        "url": "https://hooks.example.com/circleci",
        "verify-tls": True,
        "signing-secret": "very-secret",
        "scope": {"id": project_id, "type": "project"},
        **change,
    }


def test_webhook_lifecycle_masks_the_secret(emu, api):
    pid = api.get("/project/gh/acme/api").json()["id"]
    made = api.post("/webhook", json=hook(pid))
    assert made.status_code == 201
    webhook = made.json()
    assert webhook["signing-secret"] == "****" and webhook["scope"] == {
        "id": pid,
        "type": "project",
    }
    listed = api.get("/webhook", params={"scope-id": pid, "scope-type": "project"}).json()
    assert [w["id"] for w in listed["items"]] == [webhook["id"]] and listed[
        "next_page_token"
    ] is None
    # PUT replaces (our choice, README): a partial body is refused, a whole one taken.
    partial = api.put(f"/webhook/{webhook['id']}", json={"events": ["job-completed"]})
    assert (partial.status_code, partial.json()) == (
        400,
        {"message": "Missing one or more JSON fields."},
    )
    whole = {**hook(pid), "events": ["job-completed"], "signing-secret": "rotated"}
    del whole["scope"]
    put = api.put(f"/webhook/{webhook['id']}", json=whole).json()
    assert put["events"] == ["job-completed"] and put["url"] == webhook["url"]
    assert put["updated-at"] > webhook["updated-at"]
    assert emu.state()["webhooks"][webhook["id"]]["signing_secret"] == "rotated"
    del whole["signing-secret"], whole["verify-tls"]
    api.put(f"/webhook/{webhook['id']}", json=whole).raise_for_status()
    reset = emu.state()["webhooks"][webhook["id"]]
    assert (reset["signing_secret"], reset["verify_tls"]) == ("", True)  # left out: reset
    assert api.delete(f"/webhook/{webhook['id']}").json() == {"message": "Webhook deleted."}
    assert api.get(f"/webhook/{webhook['id']}").status_code == 404


def test_webhook_validation(api, contract_observer):
    pid = api.get("/project/gh/acme/api").json()["id"]
    with off_spec(contract_observer, "scope-id", "scope-type"):
        assert api.get("/webhook", params={"scope-type": "project"}).status_code == 400
        assert api.get("/webhook").status_code == 400
    assert api.post("/webhook", json=hook(pid, url="http://plain.example.com")).status_code == 400
    with off_spec(contract_observer, "request-body"):
        assert api.post("/webhook", json=hook(pid, events=["push"])).status_code == 400
        bad_scope = hook(pid, scope={"id": pid, "type": "org"})
        assert api.post("/webhook", json=bad_scope).status_code == 400
    webhook = api.post("/webhook", json=hook(pid)).json()
    with off_spec(contract_observer, "request-body"):
        scope = {"scope": {"id": pid, "type": "project"}}
        assert api.put(f"/webhook/{webhook['id']}", json=scope).status_code == 400
