from __future__ import annotations

import random
from email.utils import formatdate

import pytest

from reconciler.client.retry import Attempts, RetryPolicy, parse_retry_after

NOW = 1_700_000_000.0


def test_retry_after_seconds() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    assert parse_retry_after(" 1.5 ", NOW) == 1.5
    assert parse_retry_after("-3", NOW) == 0.0


def test_retry_after_http_date() -> None:
    header = formatdate(NOW + 42, usegmt=True)  # e.g. "Tue, 14 Nov 2023 22:14:02 GMT"
    assert parse_retry_after(header, NOW) == pytest.approx(42.0)
    assert parse_retry_after(formatdate(NOW - 100, usegmt=True), NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "Mon, 99 Foo 2023"])
def test_retry_after_unreadable(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_idempotent_methods() -> None:
    assert all(RetryPolicy.is_idempotent(m) for m in ("GET", "put", "DELETE", "PATCH"))
    assert not RetryPolicy.is_idempotent("POST")


def test_rate_limit_waits_follow_retry_after_until_the_budget_is_spent() -> None:
    policy = RetryPolicy(max_retry_wait=10.0)
    attempts = Attempts()
    assert policy.on_rate_limited(attempts, 4.0) == 4.0
    assert policy.on_rate_limited(attempts, 4.0) == 4.0
    assert policy.on_rate_limited(attempts, 4.0) is None  # 12 s would pass the 10 s budget
    assert attempts.waited == 8.0


def test_a_retry_after_beyond_the_budget_gives_up_at_once() -> None:
    assert RetryPolicy(max_retry_wait=120.0).on_rate_limited(Attempts(), 3600.0) is None


def test_rate_limit_without_retry_after_backs_off_at_least_a_second() -> None:
    policy = RetryPolicy(rng=random.Random(1))
    assert policy.on_rate_limited(Attempts(), None) == pytest.approx(1.0)
    zero = policy.on_rate_limited(Attempts(), 0.0)
    assert zero is not None and 0 < zero < 1  # Retry-After: 0 still never spins


def test_rate_limit_retries_are_bounded_even_with_zero_waits() -> None:
    policy = RetryPolicy(max_rate_limited=3, min_rate_limit_wait=0.0)
    attempts = Attempts()
    assert [policy.on_rate_limited(attempts, 0.0) for _ in range(4)] == [0.0, 0.0, 0.0, None]


def test_failure_backoff_grows_with_jitter_and_stops() -> None:
    policy = RetryPolicy(max_failures=4, backoff_base=1.0, rng=random.Random(7))
    attempts = Attempts()
    delays = [policy.on_failure(attempts, "GET") for _ in range(5)]
    assert delays[4] is None
    for n, delay in enumerate(delays[:4], start=1):
        ceiling = 2 ** (n - 1)
        assert delay is not None and ceiling / 2 <= delay <= ceiling
    other = RetryPolicy(max_failures=4, backoff_base=1.0, rng=random.Random(8))
    assert [other.on_failure(Attempts(), "GET") for _ in range(3)] != delays[:3]  # jittered


def test_failure_backoff_honours_a_longer_retry_after_and_the_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5)
    assert policy.on_failure(Attempts(), "GET", retry_after=5.0) == 5.0
    assert RetryPolicy(max_retry_wait=1.0).on_failure(Attempts(), "GET", retry_after=5.0) is None
    capped = RetryPolicy(backoff_base=10.0, backoff_cap=12.0, max_failures=10)
    attempts = Attempts()
    assert all((capped.on_failure(attempts, "GET") or 0) <= 12.0 for _ in range(6))
