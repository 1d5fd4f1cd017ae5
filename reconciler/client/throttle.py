"""Proactive throttling: slow down before CircleCI refuses, shared by every worker thread.

Each rate-limit window the server advertises (`RateLimit-*`, `X-RateLimit-*`, and the
`X-RateLimit-*-Second|Minute|Hour|Day` variants) is tracked as a local budget. A request
needs a slot in every window, so when families disagree the most restrictive one binds.

The model is deliberately the pessimistic one that holds for both fixed windows and token
buckets: with R requests left and "full again in T seconds", R more requests are safe now and
the full limit is safe after T. A token bucket refills sooner, so this loses a little speed but
never invites a 429. Slots are debited when a request is sent, so in-flight requests count
before the server has reported them. Until the first answer tells us whether the server
advertises limits at all, only one request is in flight. With no headers, nothing is throttled.
A 429 pauses every thread until its Retry-After has passed.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

WINDOW_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_EPOCH = 1_000_000_000.0  # a "reset" this large is a Unix timestamp, not a delay
LEARN_POLL = 0.02


@dataclass(frozen=True)
class Limit:
    limit: float
    remaining: float
    reset: float | None  # seconds until the window is full again, when the server says


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    match = _NUMBER.search(value)  # tolerates "100, 100;w=60" and stray units
    return float(match.group()) if match else None


def _reset_seconds(value: str | None, wall_now: float) -> float | None:
    seconds = _number(value)
    if seconds is not None and seconds >= _EPOCH:
        seconds = max(0.0, seconds - wall_now)
    return seconds


def parse_rate_limits(headers: Mapping[str, str], wall_now: float) -> dict[str, Limit]:
    """Every rate-limit window advertised in `headers`, keyed by family and window."""
    h = {k.lower(): v for k, v in headers.items()}
    found: dict[str, Limit] = {}

    def add(key: str, limit: str | None, remaining: str | None, reset: float | None) -> None:
        lim, rem = _number(limit), _number(remaining)
        if lim is not None and rem is not None and lim > 0:
            found[key] = Limit(lim, min(rem, lim), reset)

    for prefix in ("ratelimit", "x-ratelimit"):
        add(
            prefix,
            h.get(f"{prefix}-limit"),
            h.get(f"{prefix}-remaining"),
            _reset_seconds(h.get(f"{prefix}-reset"), wall_now),
        )
    generic_reset = h.get("x-ratelimit-reset") or h.get("ratelimit-reset")
    for window, length in WINDOW_SECONDS.items():
        reset = _reset_seconds(h.get(f"x-ratelimit-reset-{window}") or generic_reset, wall_now)
        add(
            f"x-ratelimit-{window}",
            h.get(f"x-ratelimit-limit-{window}"),
            h.get(f"x-ratelimit-remaining-{window}"),
            length if reset is None else reset,
        )
    return found


@dataclass
class _Window:
    limit: float
    tokens: float
    refill_at: float  # monotonic time the window is known to be full again
    period: float  # longest "full again in" seen: how long a refill takes from empty
    refilled_at: float  # answers to requests sent before this are stale


class Throttle:
    """Shared by all threads of one client. `acquire()` before sending, `observe()` after."""

    def __init__(
        self,
        *,
        max_wait: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        learn_first: bool = True,
    ) -> None:
        self.max_wait = max_wait  # never hold a request longer; the server's 429 decides then
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        self._paused_until = 0.0
        self._learned = not learn_first
        self._learning = False
        self.waited = 0.0  # total seconds threads spent held back, for figures

    def acquire(self) -> float:
        """Block until a request may be sent; returns the send time to pass to observe()."""
        while True:
            delay = self.reserve()
            if delay <= 0:
                return self._clock()
            self._sleep(delay)
            with self._lock:
                self.waited += delay

    def reserve(self) -> float:
        """Take a slot and return 0, or return how long to wait before asking again."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            if not self._learned:
                if self._learning:
                    return LEARN_POLL
                self._learning = True
                return 0.0
            waits = []
            for w in self._windows.values():
                if now >= w.refill_at and w.tokens < w.limit:
                    w.tokens, w.refilled_at = w.limit, now
                    w.refill_at = now + w.period
                if w.tokens < 1:
                    waits.append(w.refill_at - now)
            if waits and 0 < max(waits) <= self.max_wait:
                return max(waits)
            for w in self._windows.values():
                w.tokens -= 1
            return 0.0

    def observe(self, headers: Mapping[str, str], sent_at: float) -> None:
        """Learn from an answer's headers (any status)."""
        limits = parse_rate_limits(headers, self._wall())
        with self._lock:
            self._learned, self._learning = True, False
            now = self._clock()
            for key, lim in limits.items():
                reset = lim.reset if lim.reset and lim.reset > 0 else 1.0
                w = self._windows.get(key)
                if w is None:
                    self._windows[key] = _Window(lim.limit, lim.remaining, now + reset, reset, now)
                    continue
                if sent_at < w.refilled_at:
                    continue  # counted against a budget that has since been refilled
                w.limit = lim.limit
                w.tokens = min(w.tokens, lim.remaining)
                w.period = max(w.period, reset)
                if lim.remaining < lim.limit:
                    w.refill_at = now + reset

    def release(self) -> None:
        """A request got no answer at all; let another one learn the server's limits."""
        with self._lock:
            self._learning = False

    def pause(self, seconds: float) -> None:
        """The server refused with 429: hold every thread back for `seconds`."""
        with self._lock:
            self._learned, self._learning = True, False
            now = self._clock()
            self._paused_until = max(self._paused_until, now + seconds)
            for w in self._windows.values():  # the server's budget is empty: wait a full refill
                w.tokens = min(w.tokens, 0.0)
                w.refill_at = max(w.refill_at, now + max(seconds, w.period))
