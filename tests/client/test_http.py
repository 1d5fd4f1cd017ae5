"""The chokepoint against canned answers (responses): timing through a fake clock."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from reconciler.client import HttpClient
from reconciler.client.http import USER_AGENT
from reconciler.errors import (
    ApiError,
    AuthError,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
)
from tests.client.conftest import TOKEN, V1, V2, FakeTime

MakeHttp = Callable[..., HttpClient]
SECRET = "hunter2-very-secret"


@pytest.fixture
def rsps() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_sends_auth_accept_and_user_agent(rsps: Any, make_http: MakeHttp) -> None:
    rsps.get(f"{V2}/me", json={"id": "u1"})
    rsps.get(f"{V1}/me", json={"login": "a"})
    http = make_http()
    assert http.request("GET", "/me") == {"id": "u1"}
    assert http.request("GET", "/me", api="v1.1") == {"login": "a"}
    sent = rsps.calls[0].request.headers
    assert sent["Circle-Token"] == TOKEN
    assert sent["Accept"] == "application/json"
    assert sent["User-Agent"] == USER_AGENT and USER_AGENT.startswith("circleci-reconciler/")
    assert http.requests_sent == 2


def test_query_params_and_json_body(rsps: Any, make_http: MakeHttp) -> None:
    rsps.post(f"{V2}/context", json={"id": "c"}, status=200)
    rsps.get(f"{V2}/context", json={"items": []})
    http = make_http()
    http.request("POST", "/context", json={"name": "n"})
    http.request("GET", "/context", params={"owner-id": "o", "page-token": None})
    assert json.loads(rsps.calls[0].request.body) == {"name": "n"}
    assert rsps.calls[1].request.url == f"{V2}/context?owner-id=o"


def test_retry_after_seconds_is_obeyed(rsps: Any, make_http: MakeHttp, fake_time: FakeTime) -> None:
    rsps.get(f"{V2}/me", body="Rate limited.", status=429, headers={"Retry-After": "3"})
    rsps.get(f"{V2}/me", json={"id": "u"})
    http = make_http()
    assert http.request("GET", "/me") == {"id": "u"}
    assert fake_time.sleeps == [3.0]
    assert http.stats()["rate_limited"] == 1 and http.requests_sent == 2


def test_retry_after_http_date_is_obeyed(
    rsps: Any, make_http: MakeHttp, fake_time: FakeTime
) -> None:
    when = formatdate(fake_time.wall() + 17, usegmt=True)
    rsps.get(
        f"{V2}/me",
        json={"message": "Rate limit exceeded."},
        status=429,
        headers={"Retry-After": when},
    )
    rsps.get(f"{V2}/me", json={"id": "u"})
    assert make_http().request("GET", "/me") == {"id": "u"}
    assert fake_time.sleeps == [pytest.approx(17.0)]


def test_a_post_refused_with_429_is_simply_retried(
    rsps: Any, make_http: MakeHttp, fake_time: FakeTime
) -> None:
    rsps.post(f"{V2}/context", body="Rate limited.", status=429, headers={"Retry-After": "1"})
    rsps.post(f"{V2}/context", json={"id": "c"})
    assert make_http().request("POST", "/context", json={}) == {"id": "c"}
    assert fake_time.sleeps == [1.0]


def test_total_rate_limit_wait_is_capped(
    rsps: Any, make_http: MakeHttp, fake_time: FakeTime
) -> None:
    for _ in range(10):
        rsps.get(f"{V2}/me", body="Rate limited.", status=429, headers={"Retry-After": "4"})
    http = make_http(max_retry_wait=10.0)
    with pytest.raises(RateLimited) as info:
        http.request("GET", "/me")
    assert fake_time.sleeps == [4.0, 4.0]  # a third wait would pass 10 s
    assert "Rate limited." in str(info.value) and "10s retry budget" in str(info.value)
    assert http.requests_sent == 3


def test_a_retry_after_past_the_budget_fails_without_waiting(
    rsps: Any, make_http: MakeHttp, fake_time: FakeTime
) -> None:
    rsps.get(f"{V2}/me", body="Rate limited.", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited):
        make_http().request("GET", "/me")
    assert fake_time.sleeps == []


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, AuthError),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (422, ApiError),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_4xx_is_never_retried(
    rsps: Any,
    make_http: MakeHttp,
    fake_time: FakeTime,
    status: int,
    cls: type[ApiError],
    method: str,
) -> None:
    rsps.add(method, f"{V2}/thing", json={"message": "nope."}, status=status)
    http = make_http()
    with pytest.raises(cls) as info:
        http.request(method, "/thing", probe=lambda: {"found": True})
    assert type(info.value) is cls and info.value.status == status
    assert http.requests_sent == 1 and fake_time.sleeps == []


def test_5xx_on_get_is_retried_with_backoff(
    rsps: Any, make_http: MakeHttp, fake_time: FakeTime
) -> None:
    rsps.get(f"{V2}/me", status=502, body="")
    rsps.get(f"{V2}/me", status=503, body="")
    rsps.get(f"{V2}/me", json={"id": "u"})
    assert make_http().request("GET", "/me") == {"id": "u"}
    assert len(fake_time.sleeps) == 2 and 0 < fake_time.sleeps[0] <= fake_time.sleeps[1] * 2


def test_5xx_gives_up_with_a_server_error(rsps: Any, make_http: MakeHttp) -> None:
    for _ in range(10):
        rsps.get(f"{V2}/me", status=500, body="")
    http = make_http()
    with pytest.raises(ServerError) as info:
        http.request("GET", "/me")
    assert info.value.status == 500 and "Internal Server Error" in str(info.value)
    assert http.requests_sent == 1 + http.retry.max_failures


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_idempotent_writes_retry_after_a_dropped_connection(
    rsps: Any, make_http: MakeHttp, method: str
) -> None:
    rsps.add(method, f"{V2}/thing", body=requests.ConnectionError("reset by peer"))
    rsps.add(method, f"{V2}/thing", json={"ok": True})
    assert make_http().request(method, "/thing", json={"value": "v"}) == {"ok": True}


def test_post_is_not_repeated_after_a_dropped_connection_without_probe(
    rsps: Any, make_http: MakeHttp
) -> None:
    rsps.post(f"{V2}/context", body=requests.ConnectionError("reset by peer"))
    rsps.post(f"{V2}/context", json={"id": "second"})
    http = make_http()
    with pytest.raises(TransportError, match="connection dropped"):
        http.request("POST", "/context", json={"name": "n"})
    assert http.requests_sent == 1


@pytest.mark.parametrize(
    "failure", [requests.ConnectionError("reset"), requests.ReadTimeout("slow")]
)
def test_post_takes_the_probes_answer_when_the_write_happened(
    rsps: Any, make_http: MakeHttp, failure: Exception
) -> None:
    rsps.post(f"{V2}/context", body=failure)
    rsps.post(f"{V2}/context", json={"id": "duplicate"})
    http = make_http()
    probes: list[int] = []

    def probe() -> Any:
        probes.append(1)
        return {"id": "c1"}

    assert http.request("POST", "/context", json={}, probe=probe) == {"id": "c1"}
    assert http.requests_sent == 1 and probes == [1]


def test_post_is_sent_again_when_the_probe_says_it_did_not_happen(
    rsps: Any, make_http: MakeHttp, fake_time: FakeTime
) -> None:
    rsps.post(f"{V2}/context", status=503, body="")
    rsps.post(f"{V2}/context", json={"id": "c2"})
    http = make_http()
    assert http.request("POST", "/context", json={}, probe=lambda: None) == {"id": "c2"}
    assert http.requests_sent == 2 and len(fake_time.sleeps) == 1


def test_post_without_probe_raises_the_server_error_as_is(rsps: Any, make_http: MakeHttp) -> None:
    rsps.post(f"{V2}/context", status=500, json={"message": "Internal server error."})
    http = make_http()
    with pytest.raises(ServerError):
        http.request("POST", "/context", json={})
    assert http.requests_sent == 1


def test_post_that_never_connected_is_retried_without_asking(
    rsps: Any, make_http: MakeHttp
) -> None:
    refused = MaxRetryError(None, "/", NewConnectionError(None, "Connection refused"))  # type: ignore[arg-type]
    rsps.post(f"{V2}/context", body=requests.ConnectionError(refused))
    rsps.post(f"{V2}/context", json={"id": "c"})
    assert make_http().request("POST", "/context", json={}) == {"id": "c"}


def test_conflict_after_a_lost_answer_is_resolved_by_reading_back(
    rsps: Any, make_http: MakeHttp
) -> None:
    rsps.post(f"{V2}/context", body=requests.ConnectionError("reset"))
    rsps.post(
        f"{V2}/context", status=409, json={"message": "A context already exists with this name"}
    )
    answers = iter([None, {"id": "c1"}])  # not visible yet, then there
    http = make_http()
    assert http.request("POST", "/context", json={}, probe=lambda: next(answers)) == {"id": "c1"}
    assert http.requests_sent == 2


def test_conflict_on_a_first_attempt_is_raised(rsps: Any, make_http: MakeHttp) -> None:
    rsps.post(f"{V2}/context", status=409, json={"message": "exists"})
    with pytest.raises(Conflict):
        make_http().request("POST", "/context", json={}, probe=lambda: {"id": "x"})


def test_delete_404_after_a_lost_answer_means_our_delete_happened(
    rsps: Any, make_http: MakeHttp
) -> None:
    rsps.delete(f"{V2}/context/c1", body=requests.ConnectionError("reset"))
    rsps.delete(f"{V2}/context/c1", status=404, json={"message": "Context not found."})
    assert make_http().request("DELETE", "/context/c1") is None


@pytest.mark.parametrize(
    ("status", "body", "content_type", "cls", "message"),
    [
        (429, "Rate limited.", "text/plain", RateLimited, "Rate limited."),
        (
            404,
            '{\n  "message" : "Project not found"\n}',
            "text/plain;charset=utf-8",
            NotFound,
            "Project not found",
        ),
        (500, "", None, ServerError, "Internal Server Error"),
        (
            404,
            "<html><head><title>Page Not Found</title></head><body>x</body></html>",
            "text/html",
            NotFound,
            "Page Not Found",
        ),
        (
            400,
            '{"message":"Unknown advanced setting \'x\'."}',
            None,
            BadRequest,
            "Unknown advanced setting 'x'.",
        ),
    ],
)
def test_error_bodies_are_sniffed(
    rsps: Any,
    make_http: MakeHttp,
    status: int,
    body: str,
    content_type: str | None,
    cls: type,
    message: str,
) -> None:
    rsps.get(f"{V2}/x", body=body, status=status, content_type=content_type)
    http = make_http(max_retry_wait=0.0)
    with pytest.raises(cls) as info:
        http.request("GET", "/x")
    assert info.value.api_message.startswith(message)


def test_json_labelled_text_plain_on_success_is_parsed(rsps: Any, make_http: MakeHttp) -> None:
    rsps.get(f"{V2}/me", body='{"id" : "u"}', content_type="text/plain")
    rsps.delete(f"{V2}/thing", body="", status=200)
    http = make_http()
    assert http.request("GET", "/me") == {"id": "u"}
    assert http.request("DELETE", "/thing") is None


def test_redirects_are_not_followed(rsps: Any, make_http: MakeHttp) -> None:
    rsps.get(f"{V2}/me", status=302, headers={"Location": "https://elsewhere.example/steal"})
    with pytest.raises(ApiError) as info:
        make_http().request("GET", "/me")
    assert info.value.status == 302 and len(rsps.calls) == 1  # the token never leaves the host


def test_token_and_secret_values_appear_in_no_error_or_log(
    rsps: Any, make_http: MakeHttp, caplog: pytest.LogCaptureFixture
) -> None:
    rsps.get(f"{V2}/me", status=401, json={"message": f"Invalid token provided: {TOKEN}"})
    rsps.put(
        f"{V2}/context/c/environment-variable/X",
        status=400,
        json={"message": f"bad value {SECRET}"},
    )
    rsps.post(f"{V2}/project/p/envvar", body=requests.ConnectionError(f"reset {SECRET}"))
    rsps.post(f"{V2}/webhook", status=500, json={"message": f"boom {SECRET}"})
    rsps.get(f"{V2}/slow", body=requests.ReadTimeout("read timed out"))
    caplog.set_level(logging.DEBUG, logger="reconciler")  # whatever an earlier CLI run left
    http = make_http(max_retry_wait=0.0)
    errors: list[BaseException] = []
    calls: list[Callable[[], Any]] = [
        lambda: http.request("GET", "/me"),
        lambda: http.request("PUT", "/context/c/environment-variable/X", json={"value": SECRET}),
        lambda: http.request("POST", "/project/p/envvar", json={"name": "X", "value": SECRET}),
        lambda: http.request("POST", "/webhook", json={"signing-secret": SECRET}),
        lambda: http.request("GET", "/slow"),
    ]
    for call in calls:
        with pytest.raises(ApiError) as info:
            call()
        errors.append(info.value)
    assert len(errors) == 5 and caplog.records
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(e.args) for e in errors]
    texts += [r.getMessage() for r in caplog.records] + [repr(http), repr(http.config)]
    for text in texts:
        assert TOKEN not in text and SECRET not in text
    client_logs = [r.getMessage() for r in caplog.records if r.name == "reconciler.client"]
    assert any("GET /api/v2/me -> 401" in m for m in client_logs)


def test_get_all_follows_page_tokens(rsps: Any, make_http: MakeHttp) -> None:
    from responses import matchers

    rsps.get(
        f"{V2}/context",
        json={"items": [1], "next_page_token": "t1"},
        match=[matchers.query_param_matcher({"owner-id": "o"})],
    )
    rsps.get(
        f"{V2}/context",
        json={"items": [2], "next_page_token": None},
        match=[matchers.query_param_matcher({"owner-id": "o", "page-token": "t1"})],
    )
    assert make_http().get_all("/context", params={"owner-id": "o"}) == [1, 2]


def test_map_keeps_order_and_raises_the_first_failure_after_all_finish(make_http: MakeHttp) -> None:
    http = make_http(concurrency=4)
    assert http.map(lambda x: x * 2, range(20)) == [x * 2 for x in range(20)]
    assert http.map(lambda x: x, []) == []
    done: list[int] = []
    lock = threading.Lock()
    peak = [0, 0]

    def fn(x: int) -> int:
        with lock:
            peak[0] += 1
            peak[1] = max(peak[1], peak[0])
        threading.Event().wait(0.01)
        with lock:
            peak[0] -= 1
            done.append(x)
        if x in (3, 7):
            raise ValueError(f"bad {x}")
        return x

    with pytest.raises(ValueError, match="bad 3"):
        http.map(fn, range(12))
    assert sorted(done) == list(range(12))
    assert peak[1] <= 4
