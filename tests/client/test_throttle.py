from __future__ import annotations

import threading
import time

import pytest

from reconciler.client.throttle import Limit, Throttle, parse_rate_limits
from tests.client.conftest import FakeTime

WALL = 1_700_000_000.0


def test_ietf_family() -> None:
    h = {"RateLimit-Limit": "5", "RateLimit-Remaining": "3", "RateLimit-Reset": "1"}
    assert parse_rate_limits(h, WALL) == {"ratelimit": Limit(5, 3, 1)}


def test_x_family_with_epoch_reset() -> None:
    h = {
        "x-ratelimit-limit": "60",
        "X-RateLimit-Remaining": "59",
        "X-RateLimit-Reset": str(int(WALL) + 30),
    }
    assert parse_rate_limits(h, WALL) == {"x-ratelimit": Limit(60, 59, 30)}


def test_x_family_per_window_with_and_without_reset() -> None:
    h = {
        "X-RateLimit-Limit-Second": "10",
        "X-RateLimit-Remaining-Second": "9",
        "X-RateLimit-Limit-Minute": "100",
        "X-RateLimit-Remaining-Minute": "40",
        "X-RateLimit-Reset-Minute": "12",
    }
    assert parse_rate_limits(h, WALL) == {
        "x-ratelimit-second": Limit(
            10, 9, 1.0
        ),  # no reset given: a window resets within its length
        "x-ratelimit-minute": Limit(100, 40, 12),
    }


def test_odd_values_are_tolerated_and_incomplete_families_ignored() -> None:
    h = {"RateLimit-Limit": "100, 100;w=60", "RateLimit-Remaining": "7", "X-RateLimit-Limit": "9"}
    assert parse_rate_limits(h, WALL) == {"ratelimit": Limit(100, 7, None)}
    assert parse_rate_limits({"RateLimit-Limit": "n/a", "RateLimit-Remaining": "1"}, WALL) == {}
    assert parse_rate_limits({}, WALL) == {}


def make(t: FakeTime) -> Throttle:
    return Throttle(clock=t.clock, wall=t.wall, sleep=t.sleep)


def test_without_headers_nothing_is_held_back() -> None:
    t = FakeTime()
    th = make(t)
    sent = th.acquire()
    th.observe({}, sent)
    for _ in range(1000):
        assert th.reserve() == 0.0
    assert t.sleeps == []


def test_only_one_request_until_the_first_answer() -> None:
    t = FakeTime()
    th = make(t)
    assert th.reserve() == 0.0
    assert th.reserve() > 0  # the others wait to learn the server's limits
    th.release()  # no answer: someone else may learn
    assert th.reserve() == 0.0
    th.observe({}, t.now)
    assert th.reserve() == 0.0 and th.reserve() == 0.0


def test_budget_is_spent_to_a_reserve_then_paced_at_the_advertised_rate() -> None:
    t = FakeTime()
    th = make(t)
    sent = th.acquire()
    headers = {"RateLimit-Limit": "10", "RateLimit-Remaining": "5", "RateLimit-Reset": "1"}
    th.observe(headers, sent)
    # 5 left, 2 (a fifth of the limit) kept back: 3 now, then one per 1 / (0.95 x 10) s
    assert [th.reserve() for _ in range(3)] == [0.0] * 3
    assert th.reserve() == pytest.approx(1 / 9.5)
    t.now += 0.5
    sent_in_half_a_second = 0
    while th.reserve() == 0.0:
        sent_in_half_a_second += 1
    assert sent_in_half_a_second == 4  # 4.75 tokens came back, the reserve stays


def test_an_answer_saying_none_are_left_waits_for_the_reset() -> None:
    # A fixed window says 0 left until it resets; a paced token bucket never says so.
    t = FakeTime()
    th = make(t)
    sent = th.acquire()
    th.observe({"RateLimit-Limit": "5", "RateLimit-Remaining": "0", "RateLimit-Reset": "4"}, sent)
    assert th.reserve() == pytest.approx(4.0)
    t.now += 3.9
    assert th.reserve() == pytest.approx(0.1)
    t.now += 0.1
    assert [th.reserve() for _ in range(4)] == [0.0] * 4  # full again, less the reserve


def test_in_flight_requests_count_before_their_answers() -> None:
    t = FakeTime()
    th = make(t)
    th.observe(
        {"RateLimit-Limit": "3", "RateLimit-Remaining": "3", "RateLimit-Reset": "0"}, th.acquire()
    )
    sent = [th.acquire() for _ in range(3)]
    assert th.reserve() > 0
    # an answer saying 2 left was counted before our other two arrived: stay at 0
    th.observe(
        {"RateLimit-Limit": "3", "RateLimit-Remaining": "2", "RateLimit-Reset": "1"}, sent[0]
    )
    assert th.reserve() > 0


def test_the_lower_limit_wins() -> None:
    t = FakeTime()
    th = make(t)
    headers = {
        "RateLimit-Limit": "100",
        "RateLimit-Remaining": "100",
        "RateLimit-Reset": "60",
        "X-RateLimit-Limit": "2",
        "X-RateLimit-Remaining": "2",
        "X-RateLimit-Reset": "10",
    }
    th.observe(headers, th.acquire())
    assert th.reserve() == 0.0 and th.reserve() == 0.0
    assert th.reserve() == pytest.approx(10 / (2 * 0.95))  # the X- window: 2 per 10 s


def test_a_429_pauses_everyone_for_retry_after() -> None:
    t = FakeTime()
    th = make(t)
    th.observe({}, th.acquire())
    th.pause(3.0)
    assert th.reserve() == pytest.approx(3.0)
    t.now += 3.0
    assert th.reserve() == 0.0


def test_stale_answers_do_not_drain_a_refilled_window() -> None:
    t = FakeTime()
    th = make(t)
    h0 = {"RateLimit-Limit": "2", "RateLimit-Remaining": "0", "RateLimit-Reset": "1"}
    th.observe(h0, th.acquire())
    old = t.now
    t.now += 1.0
    assert th.reserve() == 0.0  # refilled
    th.observe(h0, old)  # an answer to a request sent before the refill
    assert th.reserve() == 0.0


def test_never_holds_back_longer_than_max_wait() -> None:
    t = FakeTime()
    th = Throttle(clock=t.clock, wall=t.wall, sleep=t.sleep, max_wait=5.0)
    th.observe(
        {"RateLimit-Limit": "1", "RateLimit-Remaining": "0", "RateLimit-Reset": "3600"},
        th.acquire(),
    )
    assert th.reserve() == 0.0  # let the server decide with a 429 instead of stalling an hour


def test_acquire_sleeps_and_shares_the_budget_across_threads() -> None:
    th = Throttle()
    sent = th.acquire()
    start = time.monotonic()  # before the answer: the window is full again 0.3 s after it
    th.observe({"RateLimit-Limit": "4", "RateLimit-Remaining": "4", "RateLimit-Reset": "0.3"}, sent)
    times: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        th.acquire()
        with lock:
            times.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    offsets = sorted(x - start for x in times)
    assert len(offsets) == 12
    # 4 at once, then paced at 0.95 x 4 per 0.3 s across all threads, however they were
    # scheduled: never more than the server's 4 per 0.3 s
    rate = 0.95 * 4 / 0.3
    assert offsets[4] >= 1 / rate and offsets[8] >= 0.3 and offsets[11] >= 7 / rate, offsets
    assert th.waited > 0
