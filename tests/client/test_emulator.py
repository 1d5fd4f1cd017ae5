"""The client end to end against the emulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests

from reconciler.client import CircleCI, ClientConfig, HttpClient, RetryPolicy, Throttle
from reconciler.errors import (
    AuthError,
    NotFound,
    PaginationError,
    PermissionDenied,
    RateLimited,
)
from tests.support.contract import off_contract

ORG = "gh/acme"
PROJECT = "gh/acme/api"
SECRET = "s3cr3t-value-7781"


def connect(emu: Any, *, retry: RetryPolicy | None = None, **config: Any) -> CircleCI:
    cfg = ClientConfig(host=emu.url, token=emu.token, **config)
    sleep = config.pop("sleep", time.sleep)
    return CircleCI(cfg, http=HttpClient(cfg, retry=retry, sleep=sleep))


def world(projects: int = 1) -> dict[str, Any]:
    return {
        "organizations": {
            ORG: {
                "groups": ["platform"],
                "projects": {PROJECT: {"env_vars": {"EXISTING": "abcd1234"}}},
            }
        }
    }


def org_id(emu: Any, slug: str = ORG) -> str:
    """Straight from the emulator's state, so only tests about organizations call those routes."""
    return next(o["id"] for o in emu.state()["organizations"].values() if o["slug"] == slug)


def test_organization_by_slug_id_and_from_collaborations(emulator_factory: Any) -> None:
    emu = emulator_factory(seed=world())
    api = connect(emu)
    org = api.get_organization(ORG)
    assert {k: org[k] for k in ("id", "name", "slug", "vcs_type")} == {
        "id": org_id(emu),
        "name": "acme",
        "slug": ORG,
        "vcs_type": "github",
    }
    assert api.get_organization("github/acme")["id"] == org["id"]
    assert api.get_organization(org["id"])["slug"] == ORG
    [collab] = api.collaborations()
    assert (collab["slug"], collab["vcs_type"], collab["id"]) == (ORG, "github", org["id"])


def test_organization_outside_the_collaborations(
    emulator_factory: Any, contract_observer: Any
) -> None:
    """Only then is GET /organization/{org} asked; the saved spec predates that route."""
    emu = emulator_factory(seed=world())
    api = connect(emu)
    with off_contract(contract_observer, "request-route"):
        with pytest.raises(NotFound, match="gh/elsewhere"):
            api.get_organization("gh/elsewhere")
    assert [r["path"] for r in emu.requests()][-1] == "/api/v2/organization/gh/elsewhere"


def test_a_deleted_context_is_unknown_not_gone(emulator_factory: Any) -> None:
    emu = emulator_factory()
    api = connect(emu)
    ctx = api.create_context(org_id(emu), "short-lived")
    assert api.delete_context(ctx["id"]) is True
    with pytest.raises(PermissionDenied):  # CircleCI answers 403 for a deleted context
        api.get_context(ctx["id"])


def test_a_repeated_context_delete_is_confirmed_gone_by_listing(emulator_factory: Any) -> None:
    # A DELETE repeated after its answer was lost meets the deleted context's 403: the owner's
    # context list says it is gone, so it is not a failure; without the owner it stays one.
    emu = emulator_factory()
    api = connect(emu)
    owner = org_id(emu)
    ctx = api.create_context(owner, "short-lived")
    assert api.delete_context(ctx["id"], owner) is True
    assert api.delete_context(ctx["id"], owner) is False
    with pytest.raises(PermissionDenied):
        api.delete_context(ctx["id"])


def test_every_endpoint_round_trips(emulator_factory: Any) -> None:
    emu = emulator_factory(seed=world())
    api = connect(emu)
    assert api.me()["login"]
    org = {"id": org_id(emu)}
    with pytest.raises(PermissionDenied):  # the groups API serves standalone orgs only
        api.list_groups(org["id"])

    project = api.get_project(PROJECT)
    assert project is not None and project["organization_id"] == org["id"]
    assert api.get_project("gh/acme/nope") is None
    made = api.create_project(ORG, "web")
    assert made["slug"] == "gh/acme/web"
    api.follow_project("gh/acme/worker")
    assert api.get_project("gh/acme/worker") is not None

    settings = api.get_project_settings(PROJECT)
    assert len(settings) == 10
    patched = api.patch_project_settings(
        PROJECT, {"build_fork_prs": True, "pr_only_branch_overrides": ["main"]}
    )
    assert patched["build_fork_prs"] is True and patched["pr_only_branch_overrides"] == ["main"]
    assert api.get_project_settings(PROJECT) == patched

    var = api.create_project_env_var(PROJECT, "NPM_TOKEN", SECRET)
    assert var["name"] == "NPM_TOKEN" and SECRET not in str(var) and var["value"].endswith("7781")
    names = {v["name"] for v in api.list_project_env_vars(PROJECT)}
    assert names == {"EXISTING", "NPM_TOKEN"}
    assert api.delete_project_env_var(PROJECT, "NPM_TOKEN") is True
    assert api.delete_project_env_var(PROJECT, "NPM_TOKEN") is False

    key = api.create_checkout_key(PROJECT, "deploy-key")
    assert key["type"] == "deploy-key" and key["fingerprint"]
    assert [k["fingerprint"] for k in api.list_checkout_keys(PROJECT)] == [key["fingerprint"]]
    assert api.delete_checkout_key(PROJECT, key["fingerprint"]) is True
    assert api.delete_checkout_key(PROJECT, key["fingerprint"]) is False

    ctx = api.create_context(org["id"], "aws-prod")
    assert api.get_context(ctx["id"]) == ctx
    assert [c["name"] for c in api.list_contexts(org["id"])] == ["aws-prod"]
    assert api.put_context_env_var(ctx["id"], "AWS_KEY", SECRET)["name"] == "AWS_KEY"
    [cvar] = api.list_context_env_vars(ctx["id"])
    assert cvar["name"] == "AWS_KEY" and cvar["context_id"] == ctx["id"]
    assert api.delete_context_env_var(ctx["id"], "AWS_KEY") is True
    assert api.delete_context_env_var(ctx["id"], "AWS_KEY") is False
    r1 = api.create_context_restriction(ctx["id"], "project", project["id"])
    r2 = api.create_context_restriction(ctx["id"], "expression", 'pipeline.git.branch == "main"')
    assert r1["context_id"] == ctx["id"] and r1["restriction_value"] == project["id"]
    listed = api.list_context_restrictions(ctx["id"])
    assert {r["id"] for r in listed} == {r1["id"], r2["id"]}
    assert api.delete_context_restriction(ctx["id"], r2["id"]) is True
    assert api.delete_context_restriction(ctx["id"], r2["id"]) is False
    assert api.delete_context(ctx["id"]) is True

    schedule = api.create_schedule(
        PROJECT,
        {
            "name": "nightly",
            "description": "Nightly build",
            "attribution_actor": "system",
            "parameters": {"branch": "main", "run-nightly": True},
            "timetable": {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON", "TUE"]},
        },
    )
    assert schedule["attribution_actor"] == "system"
    assert schedule["parameters"] == {"branch": "main", "run-nightly": True}
    assert schedule["timetable"]["hours_of_day"] == [3]
    changed = api.update_schedule(
        schedule["id"], {"attribution_actor": "current", "description": "x"}
    )
    assert changed["attribution_actor"] == "current" and changed["description"] == "x"
    assert [s["name"] for s in api.list_schedules(PROJECT)] == ["nightly"]
    assert api.delete_schedule(schedule["id"]) is True
    assert api.delete_schedule(schedule["id"]) is False

    hook = api.create_webhook(
        {
            "name": "slack",
            "url": "https://hooks.example.com/circleci",
            "events": ["workflow-completed"],
            "verify_tls": True,
            "signing_secret": SECRET,
            "scope": {"id": project["id"], "type": "project"},
        }
    )
    assert hook["verify_tls"] is True and hook["scope"]["id"] == project["id"]
    assert SECRET not in str(hook)
    whole = {"name": "slack", "url": hook["url"], "signing_secret": SECRET}
    updated = api.update_webhook(
        hook["id"], {**whole, "verify_tls": False, "events": ["job-completed"]}
    )
    assert updated["verify_tls"] is False and updated["events"] == ["job-completed"]
    assert [w["name"] for w in api.list_webhooks(project["id"])] == ["slack"]
    assert api.delete_webhook(hook["id"]) is True
    assert api.delete_webhook(hook["id"]) is False
    assert SECRET not in str(emu.requests())


def test_pagination_reads_every_page(emulator_factory: Any) -> None:
    seed = {
        "organizations": {
            ORG: {
                "projects": {
                    PROJECT: {"env_vars": {f"VAR_{i:02}": f"value-{i}" for i in range(25)}}
                },
                "contexts": {
                    f"ctx-{i:02}": {
                        "env_vars": {f"K_{j:02}": "v" for j in range(21 if i == 0 else 0)}
                    }
                    for i in range(31)
                },
            }
        }
    }
    emu = emulator_factory(seed=seed, page_size=2)
    api = connect(emu)
    contexts = api.list_contexts(org_id(emu))
    assert [c["name"] for c in contexts] == [f"ctx-{i:02}" for i in range(31)]
    assert len({v["name"] for v in api.list_project_env_vars(PROJECT)}) == 25
    first = next(c for c in contexts if c["name"] == "ctx-00")
    assert len(api.list_context_env_vars(first["id"])) == 21
    pages = Counter(r["path"] for r in emu.requests() if r["method"] == "GET")
    assert pages["/api/v2/context"] == 16  # 31 items, 2 a page
    assert pages[f"/api/v2/context/{first['id']}/environment-variable"] == 11


class _IgnorePageToken(BaseHTTPRequestHandler):
    """A stand-in for a server that ignores `page-token` and so serves page one forever."""

    upstream = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page-token"]
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        resp = requests.get(
            f"{self.upstream}{parts.path}?{urlencode(query)}", headers=headers, timeout=10
        )
        self.send_response(resp.status_code)
        self.send_header("Content-Type", resp.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(resp.content)))
        self.end_headers()
        self.wfile.write(resp.content)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def page_token_ignorer(emulator_factory: Any) -> Iterator[tuple[Any, str]]:
    seed = {"organizations": {ORG: {"contexts": {f"c{i}": {} for i in range(5)}}}}
    emu = emulator_factory(seed=seed, page_size=2)
    handler = type("Handler", (_IgnorePageToken,), {"upstream": emu.url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield emu, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_repeated_page_token_raises(page_token_ignorer: tuple[Any, str]) -> None:
    emu, proxy = page_token_ignorer
    cfg = ClientConfig(host=proxy, token=emu.token)
    with pytest.raises(PaginationError, match="repeated|same page"):
        CircleCI(cfg).list_contexts(org_id(emu))
    assert len(emu.requests()) == 2  # noticed on the second page, not after an endless loop


def test_committed_then_dropped_posts_are_not_duplicated(emulator_factory: Any) -> None:
    seed = {"organizations": {ORG: {"projects": {PROJECT: {}}}}}
    emu = emulator_factory(seed=seed, fault_rate=0.35, fault_seed=11)
    api = connect(emu, retry=RetryPolicy(backoff_base=0.01, max_failures=12))
    owner = org_id(emu)
    project_id = api.get_project(PROJECT)["id"]  # type: ignore[index]
    contexts = [api.create_context(owner, f"ctx-{i}") for i in range(10)]
    holder = contexts[0]["id"]
    restrictions = [
        api.create_context_restriction(holder, "expression", f"pipeline.number > {i}")
        for i in range(6)
    ]
    schedules = [
        api.create_schedule(
            PROJECT,
            {
                "name": f"s{i}",
                "attribution_actor": "system",
                "parameters": {"branch": "main"},
                "timetable": {"per_hour": 1, "hours_of_day": [i], "days_of_week": ["MON"]},
            },
        )
        for i in range(6)
    ]
    hooks = [
        api.create_webhook(
            {
                "name": f"h{i}",
                "url": "https://hooks.example.com/x",
                "events": ["job-completed"],
                "verify_tls": True,
                "signing_secret": SECRET,
                "scope": {"id": project_id, "type": "project"},
            }
        )
        for i in range(6)
    ]
    log = emu.requests()
    dropped = [r for r in log if r["method"] == "POST" and r["status"] == 0]
    assert len(dropped) >= 3, "the seeded run should include committed-then-dropped writes"
    assert {r["path"] for r in dropped} >= {"/api/v2/context"}

    state = emu.state()
    ctx_names = Counter(c["name"] for c in state["contexts"].values())
    assert ctx_names == Counter(f"ctx-{i}" for i in range(10))
    assert {c["id"] for c in contexts} == set(state["contexts"])
    stored = state["contexts"][holder]["restrictions"]
    assert sorted(r["id"] for r in stored) == sorted(r["id"] for r in restrictions)
    assert Counter(s["name"] for s in state["schedules"].values()) == Counter(
        f"s{i}" for i in range(6)
    )
    assert {s["id"] for s in schedules} == set(state["schedules"])
    assert Counter(w["name"] for w in state["webhooks"].values()) == Counter(
        f"h{i}" for i in range(6)
    )
    assert {h["id"] for h in hooks} == set(state["webhooks"])
    assert api.http.stats()["no_answer"] == len([r for r in log if r["status"] == 0])


def test_a_burst_of_reads_is_paced_below_the_rate_limit(emulator_factory: Any) -> None:
    emu = emulator_factory(rate_limit=5)
    api = connect(emu, concurrency=8)
    start = time.monotonic()
    results = api.map(lambda _: api.me(), range(200))
    elapsed = time.monotonic() - start
    statuses = Counter(r["status"] for r in emu.requests())
    assert len(results) == 200 and all(r["login"] for r in results)
    assert statuses[429] <= 5, statuses
    assert statuses[200] == 200
    assert elapsed >= 200 / 5 - 5 - 1  # 5 a second after the first full bucket
    assert api.http.stats()["throttle_wait_seconds"] > 20


def test_retry_after_from_the_emulator_is_obeyed(emulator_factory: Any) -> None:
    emu = emulator_factory(rate_limit=1)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    cfg = ClientConfig(host=emu.url, token=emu.token)
    eager = Throttle(max_wait=0.0)  # never holds back: the server has to say 429
    api = CircleCI(cfg, http=HttpClient(cfg, throttle=eager, sleep=sleep))
    start = time.monotonic()
    for _ in range(3):
        api.me()
    elapsed = time.monotonic() - start
    statuses = [r["status"] for r in emu.requests()]
    assert statuses.count(200) == 3 and statuses.count(429) >= 1
    assert slept == [1.0] * statuses.count(429)  # the emulator's Retry-After: 1, once per 429
    assert elapsed >= len(slept)


def test_retry_after_past_the_budget_raises_rate_limited(emulator_factory: Any) -> None:
    emu = emulator_factory(rate_limit=1)
    slept: list[float] = []
    cfg = ClientConfig(host=emu.url, token=emu.token, max_retry_wait=0.5)
    api = CircleCI(cfg, http=HttpClient(cfg, throttle=Throttle(max_wait=0.0), sleep=slept.append))
    with pytest.raises(RateLimited, match="retry budget"):
        for _ in range(5):  # one a second: the second call in a row is refused
            api.me()
    assert slept == []


def test_no_token_or_secret_in_logs_or_errors(
    emulator_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    emu = emulator_factory(seed=world(), tokens=("tok-e2e-0042",))
    caplog.set_level(logging.DEBUG, logger="reconciler")  # whatever an earlier CLI run left
    api = connect(emu)
    ctx = api.create_context(org_id(emu), "c")
    api.put_context_env_var(ctx["id"], "X", SECRET)
    api.create_project_env_var(PROJECT, "Y", SECRET)
    errors: list[Exception] = []
    with pytest.raises(AuthError) as bad_token:
        CircleCI(ClientConfig(host=emu.url, token="tok-wrong-9931")).me()
    errors.append(bad_token.value)
    api.delete_context(ctx["id"])
    with pytest.raises(NotFound) as gone:  # an error answer to a request that carried a secret
        api.put_context_env_var(ctx["id"], "X", SECRET)
    errors.append(gone.value)
    messages = [r.getMessage() for r in caplog.records]
    assert any("/api/v2/me" in m for m in messages)
    for text in messages + [str(e) for e in errors] + [repr(e) for e in errors]:
        for secret in ("tok-e2e-0042", "tok-wrong-9931", SECRET):
            assert secret not in text
