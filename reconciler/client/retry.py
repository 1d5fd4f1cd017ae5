"""When to try a request again, and how long to wait first. Pure decisions, no I/O.

- 429 is always retried (the server refused the request, nothing happened), honouring
  Retry-After; the total wait of one call is capped by `max_retry_wait`, past which the call
  fails with RateLimited rather than stalling a run for an unbounded time.
- 5xx, timeouts and dropped connections are retried with exponential backoff and jitter only
  for idempotent methods: GET, PUT, DELETE and PATCH. PATCH counts as idempotent here because
  every PATCH the reconciler sends (project settings, schedules) carries absolute values:
  sending it twice leaves the same state as sending it once.
- POST is never repeated blindly: the chokepoint asks the caller's probe whether the first
  attempt took effect (see http.py). A 4xx other than 429 is never retried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110).

    `now` is the current wall-clock time (epoch seconds), used for the date form.
    Returns None when the header is absent or unreadable; never a negative number.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)


@dataclass
class Attempts:
    """What one logical call has been through so far."""

    failures: int = 0  # 5xx and transport failures
    rate_limited: int = 0
    waited: float = 0.0  # seconds of retry waits granted so far


@dataclass
class RetryPolicy:
    max_retry_wait: float = 120.0  # total seconds one call may spend waiting between attempts
    max_failures: int = 4  # retries after 5xx / timeout / dropped connection
    max_rate_limited: int = 100  # a backstop against servers answering Retry-After: 0 forever
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    min_rate_limit_wait: float = 0.05
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @staticmethod
    def is_idempotent(method: str) -> bool:
        return method.upper() in IDEMPOTENT_METHODS

    def backoff(self, n: int) -> float:
        """Exponential backoff with jitter for the n-th retry (1-based): half fixed, half random,
        so concurrent callers spread out but never retry immediately."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** (n - 1)))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def on_rate_limited(self, attempts: Attempts, retry_after: float | None) -> float | None:
        """Seconds to wait before retrying a 429, or None when the wait budget is spent."""
        attempts.rate_limited += 1
        if attempts.rate_limited > self.max_rate_limited:
            return None
        if retry_after is None:
            delay = max(1.0, self.backoff(attempts.rate_limited))
        else:
            delay = max(self.min_rate_limit_wait, retry_after)
        return self._grant(attempts, delay)

    def on_failure(
        self, attempts: Attempts, method: str, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait before retrying after a 5xx or no answer, or None to give up.

        Only idempotent methods get here with a retry; POST is the probe's business.
        """
        attempts.failures += 1
        if attempts.failures > self.max_failures:
            return None
        delay = self.backoff(attempts.failures)
        if retry_after is not None:  # a 503 may say when to come back
            delay = max(delay, retry_after)
        return self._grant(attempts, delay)

    def _grant(self, attempts: Attempts, delay: float) -> float | None:
        if attempts.waited + delay > self.max_retry_wait:
            return None
        attempts.waited += delay
        return delay
