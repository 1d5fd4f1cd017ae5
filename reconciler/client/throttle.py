"""Proactive throttling: slow down before CircleCI refuses, shared by every worker thread.

Each rate-limit window the server advertises (`RateLimit-*`, `X-RateLimit-*`, and the
`X-RateLimit-*-Second|Minute|Hour|Day` variants) is tracked as a local budget. A request
needs a slot in every window, so when families disagree the most restrictive one binds.

The model holds for both token buckets and fixed windows. With R requests left and "full
again in T seconds" (T from empty is the window's period P), requests are paced at
PACE x limit / P once the server's budget is down to a small reserve: a token bucket refills
at limit / P, so it never runs dry, and the whole budget is used instead of waiting for a full
window after each burst. When an answer says nothing is left (a fixed window, or another
client on the same token), nothing more is sent until its reset, when the window is full.
Slots are debited when a request is sent, so in-flight requests count before the server has
reported them; each answer can only lower the local count. Until the first answer tells us
whether the server advertises limits at all, only one request is in flight. With no headers,
nothing is throttled. A 429 pauses every thread until its Retry-After has passed.
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
PACE = 0.95  # of the advertised rate: arrival jitter must not drain a token bucket
RESERVE = 0.2  # of the limit, kept back while pacing


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
    period: float  # longest "full again in" seen: how long a refill takes from empty
    at: float  # monotonic time `tokens` was brought up to date
    empty_until: float  # the server said none are left: nothing until then, full after
    refilled_at: float  # answers to requests sent before this are stale

    @property
    def rate(self) -> float:
        return PACE * self.limit / self.period

    @property
    def floor(self) -> float:
        """Tokens kept back: a token bucket paced from here never reaches empty."""
        return float(int(RESERVE * self.limit))

    def refill(self, now: float) -> None:
        if self.empty_until:
            if now < self.empty_until:
                return
            self.tokens, self.empty_until, self.refilled_at = self.limit, 0.0, now
        else:
            self.tokens = min(self.limit, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def wait(self, now: float) -> float:
        """0 when one more request fits, else how long until it does."""
        if self.empty_until:
            return self.empty_until - now
        short = 1 + self.floor - self.tokens
        return short / self.rate if short > 0 else 0.0

    def learn(self, lim: Limit, reset: float, now: float) -> None:
        self.refill(now)
        self.limit = lim.limit
        self.period = max(self.period, reset)
        self.tokens = min(self.tokens, lim.remaining)
        if lim.remaining < 1:
            self.tokens, self.empty_until = 0.0, max(self.empty_until, now + reset)


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
            waits = [0.0]
            for w in self._windows.values():
                w.refill(now)
                waits.append(w.wait(now))
            if 0 < max(waits) <= self.max_wait:
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
                    w = self._windows[key] = _Window(lim.limit, lim.limit, reset, now, 0.0, 0.0)
                elif sent_at < w.refilled_at:
                    continue  # counted against a budget that has since been refilled
                w.learn(lim, reset, now)

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
                w.refill(now)
                w.tokens = min(w.tokens, 0.0)
                w.empty_until = max(w.empty_until, now + max(seconds, w.period))
