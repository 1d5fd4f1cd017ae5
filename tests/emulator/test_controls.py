"""Rate limit, latency and fault injection; admin routes are exempt from all three."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.emulator.helpers import Client, off_spec, reproduces

SEED = {"organizations": {"gh/acme": {"projects": {"gh/acme/api": {}}}}}


def test_rate_limit_headers_429_and_recovery(emulator_factory, contract_observer):
    emu = emulator_factory(tokens=("one", "two"), rate_limit=2)
    one = Client(emu.api, "one")
    first, second = one.get("/me"), one.get("/me")
    assert first.status_code == second.status_code == 200
    assert first.headers["RateLimit-Limit"] == "2"
    assert (first.headers["RateLimit-Remaining"], second.headers["RateLimit-Remaining"]) == (
        "1",
        "0",
    )
    assert second.headers["RateLimit-Reset"] == "1"
    with off_spec(contract_observer, "-> 429:"):
        refused = one.get("/me")
    reproduces(refused, "error-429-rate-limited-plain-text.json")  # plain text, as recorded
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert Client(emu.api, "two").get("/me").status_code == 200  # a bucket per token
    for _ in range(5):  # admin routes are never limited
        assert requests.get(emu.url + "/_emulator/state", timeout=10).status_code == 200
    time.sleep(0.6)  # one token refills in 0.5 s
    assert one.get("/me").status_code == 200
    statuses = [r["status"] for r in emu.requests()]
    assert statuses == [200, 200, 429, 200, 200]


def test_rate_limit_below_one_per_second_still_allows_a_request(
    emulator_factory, contract_observer
):
    emu = emulator_factory(rate_limit=0.5)
    api = Client(emu.api, emu.token)
    assert api.get("/me").status_code == 200
    with off_spec(contract_observer, "-> 429:"):
        refused = api.get("/me")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert refused.headers["RateLimit-Limit"] == "0.5"


def test_latency_delays_each_answer_but_requests_overlap(emulator_factory):
    emu = emulator_factory(latency_ms=100)
    api = Client(emu.api, emu.token)
    start = time.monotonic()
    assert api.get("/me").status_code == 200
    assert time.monotonic() - start >= 0.1
    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        statuses = list(
            pool.map(lambda _: Client(emu.api, emu.token).get("/me").status_code, range(16))
        )
    elapsed = time.monotonic() - start
    assert statuses == [200] * 16
    # Served one after another they would take 1.6 s at least; any overlap shows as less.
    assert 0.1 <= elapsed < 1.6, f"16 concurrent requests at 100 ms took {elapsed:.2f}s"


def test_admin_routes_are_never_delayed(emulator_factory):
    emu = emulator_factory(latency_ms=5000)
    start = time.monotonic()
    requests.get(emu.url + "/_emulator/requests", timeout=10)
    assert time.monotonic() - start < 5.0  # an API route would take 5 s at least


def run_writes(emu, count: int) -> list[str]:
    """POST `count` env vars with a client that never retries; outcome per request."""
    api = Client(emu.api, emu.token)
    outcomes = []
    for i in range(count):
        try:
            resp = api.post("/project/gh/acme/api/envvar", json={"name": f"V{i}", "value": "value"})
            outcomes.append(str(resp.status_code))
        except requests.ConnectionError:
            outcomes.append("dropped")
    return outcomes


def test_faults_are_seeded_and_a_dropped_write_is_committed(emulator_factory, contract_observer):
    with off_spec(contract_observer, "-> 502:"):
        emu = emulator_factory(seed=SEED, fault_rate=0.5, fault_seed=7)
        outcomes = run_writes(emu, 40)
        again = run_writes(emulator_factory(seed=SEED, fault_rate=0.5, fault_seed=7), 40)
    assert outcomes == again  # same seed, same order: same faults
    assert (
        {"500", "502", "503", "dropped"} <= set(outcomes) <= {"201", "500", "502", "503", "dropped"}
    )
    assert 8 <= outcomes.count("201") <= 32
    written = next(iter(emu.state()["projects"].values()))["env_vars"]
    for i, outcome in enumerate(outcomes):
        # A dropped answer came after the commit; a 5xx answer wrote nothing.
        assert (f"V{i}" in written) == (outcome in ("201", "dropped")), (i, outcome)
    log = emu.requests()
    assert [str(r["status"]) for r in log] == [o.replace("dropped", "0") for o in outcomes]


def test_reads_fail_with_5xx_only_and_502_is_not_json(emulator_factory, contract_observer):
    emu = emulator_factory(seed=SEED, fault_rate=1.0, fault_seed=1)
    api = Client(emu.api, emu.token)
    with off_spec(contract_observer, "-> 502:"):
        answers = [api.get("/project/gh/acme/api") for _ in range(30)]
    assert {r.status_code for r in answers} == {500, 502, 503}
    gateway = next(r for r in answers if r.status_code == 502)
    assert gateway.headers["Content-Type"].startswith("text/plain") and not gateway.text.startswith(
        "{"
    )
    assert next(r for r in answers if r.status_code == 500).json() == {
        "message": "Internal server error."
    }
    assert requests.get(emu.url + "/_emulator/state", timeout=10).status_code == 200


def test_no_faults_by_default(emulator_factory):
    emu = emulator_factory(seed=SEED)
    assert run_writes(emu, 20) == ["201"] * 20
