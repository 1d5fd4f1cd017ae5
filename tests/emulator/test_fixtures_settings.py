"""Project advanced settings: the spec's documented answers, word for word."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import ALICE, Client, off_spec, reproduces, standard_seed

SETTINGS = "/project/gh/acme/api/settings"
TEN = {
    "autocancel_builds",
    "build_fork_prs",
    "build_prs_only",
    "disable_ssh",
    "forks_receive_secret_env_vars",
    "oss",
    "set_github_status",
    "setup_workflows",
    "write_settings_requires_admin",
    "pr_only_branch_overrides",
}


@pytest.fixture
def api(emulator_factory):
    emu = emulator_factory(seed=standard_seed())
    return Client(emu.api, emu.token)


def test_get_returns_all_ten_settings_with_seeded_and_default_values(api):
    advanced = api.get(SETTINGS).json()["advanced"]
    assert set(advanced) == TEN
    assert advanced["build_fork_prs"] is True  # seeded
    assert advanced["set_github_status"] is True and advanced["oss"] is False  # defaults


def test_patch_is_partial_and_answers_the_full_object(api):
    resp = api.patch(SETTINGS, json={"advanced": {"autocancel_builds": True}})
    assert resp.status_code == 200
    advanced = resp.json()["advanced"]
    assert set(advanced) == TEN and advanced["autocancel_builds"] is True
    assert advanced["build_fork_prs"] is True  # untouched
    overrides = {"advanced": {"pr_only_branch_overrides": ["main", "release"]}}
    assert api.patch(SETTINGS, json=overrides).json()["advanced"]["pr_only_branch_overrides"] == [
        "main",
        "release",
    ]
    replaced = {"advanced": {"pr_only_branch_overrides": ["dev"]}}
    assert api.patch(SETTINGS, json=replaced).json()["advanced"]["pr_only_branch_overrides"] == [
        "dev"
    ]
    assert api.get(SETTINGS).json()["advanced"]["autocancel_builds"] is True


@pytest.mark.parametrize(
    ("body", "fixture", "violation"),
    [
        ({"advanced": {"autocancel_builds": "yes"}}, "incorrect-type", "autocancel_builds"),
        ({"incorrect": 1}, "unexpected-field", "request-body"),
        ({"advanced": {"incorrect": True}}, "unknown-setting", "request-body"),
        ({"advanced": {"pr_only_branch_overrides": ["b"] * 101}}, "too-many-overrides", None),
        ({}, "no-json", None),
        ({"advanced": {}}, "no-json", None),
    ],
)
def test_patch_400_messages(api, contract_observer, body, fixture, violation):
    before = api.get(SETTINGS).json()
    with off_spec(contract_observer, *([violation] if violation else [])):
        resp = api.patch(SETTINGS, json=body)
    reproduces(resp, f"docs-project-settings-patch-400-{fixture}.json")
    assert api.get(SETTINGS).json() == before  # a refused PATCH changes nothing


def test_patch_invalid_and_empty_bodies(api, contract_observer):
    with off_spec(contract_observer, "request-body"):
        bad = api.patch(SETTINGS, data="{not json", headers={"Content-Type": "application/json"})
        empty = api.patch(SETTINGS, data="")
    reproduces(bad, "docs-project-settings-patch-400-invalid-json.json")
    reproduces(empty, "docs-project-settings-patch-400-no-json.json")


def test_a_refused_patch_applies_none_of_its_fields(api, contract_observer):
    body = {"advanced": {"disable_ssh": True, "autocancel_builds": "no"}}
    with off_spec(contract_observer, "autocancel_builds"):
        assert api.patch(SETTINGS, json=body).status_code == 400
    assert api.get(SETTINGS).json()["advanced"]["disable_ssh"] is False


def test_oss_is_settable_nowhere_and_refuses_the_whole_patch(emulator_factory):
    # CircleCI-Labs docs/resources/project_settings.md measured 400 "Unexpected field
    # 'advanced.oss'" (the whole PATCH is rejected); the spec's 400 example for the rest.
    key = "circleci/DrNsW5SW6K42zooKCzkVek"
    seed = {"organizations": {"gh/acme": {"projects": {"gh/acme/api": {}}}, key: {}}}
    emu = emulator_factory(seed=seed)
    api = Client(emu.api, emu.token)
    made = api.post(f"/organization/{key}/project", json={"name": "standalone"}).json()
    assert made["slug"].startswith(key + "/")
    gh = api.patch(SETTINGS, json={"advanced": {"oss": True, "disable_ssh": True}})
    assert gh.status_code == 400
    assert gh.json() == {"message": "Unexpected field 'advanced.oss'"}
    assert api.get(SETTINGS).json()["advanced"]["disable_ssh"] is False
    resp = api.patch(f"/project/{made['slug']}/settings", json={"advanced": {"oss": True}})
    reproduces(resp, "docs-project-settings-patch-400-oss-not-settable.json")


def test_unknown_project_and_escaped_slug_are_404(api, contract_observer):
    reproduces(api.get("/project/gh/acme/nope/settings"), "docs-project-settings-404.json")
    # The split route needs three raw segments: CircleCI answers 404 to an escaped slug.
    with off_spec(contract_observer, "path not in the spec"):
        resp = api.get("/project/gh%2Facme%2Fapi/settings")
    reproduces(resp, "docs-project-settings-404.json")


def test_project_of_another_org_is_permission_denied(emulator_factory):
    emu = emulator_factory(seed=standard_seed())
    alice = Client(emu.api, ALICE)
    body = {"advanced": {"disable_ssh": True}}
    resp = alice.patch("/project/gh/other/secret/settings", json=body)
    reproduces(resp, "docs-project-settings-403.json")
    assert alice.get("/project/gh/other/secret/settings").status_code == 403
