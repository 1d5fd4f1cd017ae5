"""Traffic controls in front of the API: per-token rate limit and seeded fault injection."""

from __future__ import annotations

import math
import random
import threading
import time

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DROP = "drop"  # commit the write, then close the connection without an answer


class RateLimiter:
    """A token bucket per API token: capacity N (at least one request), refilled at N/s."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> tuple[bool, dict[str, str]]:
        """Spend one token if there is one; return (allowed, headers for the answer)."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self._buckets[key] = (tokens, now)
        headers = {
            "RateLimit-Limit": _number(self.rate),
            "RateLimit-Remaining": str(math.floor(tokens)),
            "RateLimit-Reset": str(math.ceil((self.capacity - tokens) / self.rate)),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil((1 - tokens) / self.rate)))
        return allowed, headers


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class Faults:
    """Decides, reproducibly for a given seed and request order, which requests fail and how."""

    def __init__(self, rate: float, seed: int | None) -> None:
        self.rate = rate
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def pick(self, method: str) -> int | str | None:
        """None (serve normally), a 5xx status (nothing is written), or DROP (writes only)."""
        if self.rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            kinds: list[int | str] = [500, 502, 503]
            if method in WRITES:
                kinds.append(DROP)
            return self._rng.choice(kinds)
