"""Admin routes, seed loading (dict and YAML file), state-file persistence and the observer."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import requests

from reconciler.emulator import EmulatorConfig, EmulatorServer, SeedError
from tests.emulator.helpers import Client

SEED_YAML = """\
users:
  - login: alice
    token: demo-token
    organizations: [gh/acme]
organizations:
  gh/acme:
    groups: [platform]
    projects:
      gh/acme/api:
        create: true                      # manifest-only keys are ignored
        settings: {build_fork_prs: true}
        env_vars: {NPM_TOKEN: s3cr3t-value}
        checkout_keys: [deploy-key, user-key]
        schedules:
          nightly:
            description: Nightly build of main
            attribution_actor: current
            timetable: {per_hour: 1, hours_of_day: [3], days_of_week: [MON, FRI]}
            parameters: {branch: main, run-nightly: true}
        webhooks:
          slack:
            url: https://hooks.example.com/circleci
            events: [workflow-completed]
            verify_tls: false
            signing_secret: hook-secret
    contexts:
      aws-prod:
        protect: true
        env_vars: {AWS_ACCESS_KEY_ID: AKIA0000}
        restrictions:
          projects: [gh/acme/api]
          expressions: ['pipeline.git.branch == "main"']
          groups: [platform]
  bitbucket/beta: {}
"""


@pytest.fixture
def server_factory():
    servers = []

    def make(**kwargs) -> tuple[EmulatorServer, str]:
        server = EmulatorServer(EmulatorConfig(**kwargs))
        servers.append(server)
        return server, server.start()

    yield make
    for server in servers:
        server.stop()


def test_yaml_seed_builds_the_described_world(tmp_path, server_factory):
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED_YAML, encoding="utf-8")
    _, url = server_factory(seed_path=seed, tokens=["extra"], page_size=10)
    alice = Client(url + "/api/v2", "demo-token")
    assert [o["slug"] for o in alice.get("/me/collaborations").json()] == ["gh/acme"]
    extra = Client(url + "/api/v2", "extra")  # --token: a member of every org
    assert sorted(o["slug"] for o in extra.get("/me/collaborations").json()) == [
        "bb/beta",
        "gh/acme",
    ]
    settings = alice.get("/project/gh/acme/api/settings").json()["advanced"]
    assert settings["build_fork_prs"] is True
    assert alice.get("/project/gh/acme/api/envvar/NPM_TOKEN").json()["value"] == "xxxxalue"
    keys = alice.get("/project/gh/acme/api/checkout-key").json()["items"]
    assert [k["type"] for k in keys] == ["deploy-key", "github-user-key"]
    schedule = alice.get("/project/gh/acme/api/schedule").json()["items"][0]
    assert schedule["timetable"] == {
        "per-hour": 1,
        "hours-of-day": [3],
        "days-of-week": ["MON", "FRI"],
    }
    assert schedule["parameters"] == {"branch": "main", "run-nightly": True}
    assert schedule["actor"]["login"] == "alice"  # current = the org's first user
    project_id = alice.get("/project/gh/acme/api").json()["id"]
    hooks = alice.get("/webhook", params={"scope-id": project_id, "scope-type": "project"}).json()
    assert (
        hooks["items"][0]["verify-tls"] is False and hooks["items"][0]["signing-secret"] == "****"
    )
    ctx = alice.get("/context", params={"owner-slug": "gh/acme"}).json()["items"][0]
    kinds = [
        r["restriction_type"]
        for r in alice.get(f"/context/{ctx['id']}/restrictions").json()["items"]
    ]
    assert kinds == ["project", "expression", "group"]
    state = requests.get(url + "/_emulator/state", timeout=10).json()
    assert next(iter(state["webhooks"].values()))["signing_secret"] == "hook-secret"
    assert state["contexts"][ctx["id"]]["env_vars"]["AWS_ACCESS_KEY_ID"]["value"] == "AKIA0000"
    assert all("token" not in u for u in state["users"].values())  # tokens stay out


def test_no_seed_is_one_org_without_projects(server_factory):
    _, url = server_factory(tokens=["t"])
    api = Client(url + "/api/v2", "t")
    orgs = api.get("/me/collaborations").json()
    assert [(o["slug"], o["vcs_type"]) for o in orgs] == [("gh/acme", "github")]
    assert requests.get(url + "/_emulator/state", timeout=10).json()["projects"] == {}


@pytest.mark.parametrize(
    ("seed", "where"),
    [
        (
            {
                "organizations": {
                    "gh/acme": {"projects": {"gh/acme/api": {"env_vars": {"N": 12345}}}}
                }
            },
            "env_vars.N",
        ),
        ({"organizations": {"gh/acme": {"projects": {"gh/other/api": {}}}}}, "gh/other/api"),
        ({"organizations": {"gh/acme": {"colour": "blue"}}}, "colour"),
        ({"organizations": {"circleci/notbase58!": {}}}, "circleci"),
        ({"users": [{"login": "a", "token": "t", "organizations": ["gh/nope"]}]}, "gh/nope"),
        (
            {
                "organizations": {
                    "gh/acme": {"contexts": {"c": {"restrictions": {"groups": ["ghost"]}}}}
                }
            },
            "restrictions",
        ),
        (
            {
                "organizations": {
                    "gh/acme": {
                        "projects": {
                            "gh/acme/api": {
                                "schedules": {
                                    "s": {"timetable": {"per_hour": 99}, "parameters": {}}
                                }
                            }
                        }
                    }
                }
            },
            "schedules.s",
        ),
    ],
)
def test_bad_seeds_name_the_place_not_the_value(seed, where):
    with pytest.raises(SeedError) as err:
        EmulatorServer(EmulatorConfig(seed=seed))
    assert where in str(err.value) and "12345" not in str(err.value)


def test_a_taken_port_is_an_os_error(server_factory):
    _, url = server_factory()
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        EmulatorServer(EmulatorConfig(port=port)).start()


def test_config_repr_hides_tokens_and_seed():
    config = EmulatorConfig(tokens=["secret-token"], seed={"users": [{"token": "other-secret"}]})
    assert "secret" not in repr(config)


def test_request_log_and_reset(server_factory):
    _, url = server_factory(tokens=["t"])
    api = Client(url + "/api/v2", "t")
    api.get("/context", params={"owner-slug": "gh/acme"})
    api.get("/project/gh%2Facme%2Fnope")
    log = requests.get(url + "/_emulator/requests", timeout=10).json()
    # Each entry names the TCP connection that carried it, so reuse can be counted.
    assert all(isinstance(entry.pop("connection"), int) for entry in log)
    assert log == [
        {
            "method": "GET",
            "path": "/api/v2/context",
            "query": "owner-slug=gh%2Facme",
            "status": 200,
        },
        {"method": "GET", "path": "/api/v2/project/gh%2Facme%2Fnope", "query": "", "status": 404},
    ]
    assert requests.post(url + "/_emulator/reset", timeout=10).status_code == 200
    assert requests.get(url + "/_emulator/requests", timeout=10).json() == []
    assert requests.get(url + "/_emulator/nothing", timeout=10).status_code == 404


def test_state_file_survives_a_restart(tmp_path, server_factory):
    path = tmp_path / "world.json"
    first, url = server_factory(tokens=["t"], state_file=path)
    api = Client(url + "/api/v2", "t")
    api.post("/organization/gh/acme/project", json={"name": "kept"})
    api.post("/project/gh/acme/kept/envvar", json={"name": "KEPT", "value": "kept-value"})
    first.stop()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds tokens and secret values
    assert json.loads(path.read_text())["projects"]
    _, url = server_factory(tokens=["t"], state_file=path, seed={"organizations": {"gh/x": {}}})
    again = Client(url + "/api/v2", "t")  # the file wins over the seed; the token still works
    assert again.get("/project/gh/acme/kept/envvar/KEPT").json()["value"] == "xxxxalue"


def test_observer_sees_api_exchanges_with_readable_bodies(tmp_path: Path):
    seen = []

    def observer(request, response):
        seen.append(
            (
                request.method,
                request.path,
                response.status_code,
                request.get_data(),
                response.get_data(),
            )
        )

    server = EmulatorServer(EmulatorConfig(tokens=["t"]), observer=observer)
    url = server.start()
    try:
        api = Client(url + "/api/v2", "t")
        api.post("/organization/gh/acme/project", json={"name": "seen"})
        requests.get(url + "/_emulator/state", timeout=10)
        Client(url + "/api/v1.1", "t").get("/me")
    finally:
        server.stop()
    assert [(m, p, s) for m, p, s, _, _ in seen] == [
        ("POST", "/api/v2/organization/gh/acme/project", 200),
        ("GET", "/api/v1.1/me", 200),
    ]
    assert json.loads(seen[0][3]) == {"name": "seen"} and json.loads(seen[0][4])["name"] == "seen"


def test_observer_is_not_called_for_a_dropped_answer():
    seen = []
    config = EmulatorConfig(tokens=["t"], fault_rate=1.0, fault_seed=3)
    server = EmulatorServer(config, observer=lambda req, resp: seen.append(resp.status_code))
    url = server.start()
    try:
        api = Client(url + "/api/v2", "t")
        outcomes = []
        for i in range(12):
            try:
                outcomes.append(
                    api.post("/organization/gh/acme/project", json={"name": f"p{i}"}).status_code
                )
            except requests.ConnectionError:
                outcomes.append(0)
    finally:
        server.stop()
    assert 0 in outcomes and seen == [s for s in outcomes if s]
