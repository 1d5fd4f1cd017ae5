"""The one request chokepoint: auth, timeouts, throttling, retries, typed errors, fan-out.

Every call to CircleCI goes through HttpClient.request, so the token is attached, errors are
typed and retries are decided in exactly one place. Neither the token nor a request body
ever reaches an error message or a log line; logs carry method, path, status and duration.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from urllib3.exceptions import ConnectTimeoutError

from reconciler import __version__
from reconciler.client.config import ClientConfig
from reconciler.client.pagination import read_all
from reconciler.client.response import error_for, parse_body
from reconciler.client.retry import Attempts, RetryPolicy, parse_retry_after
from reconciler.client.scrub import long_forms
from reconciler.client.slugs import check_path
from reconciler.client.throttle import Throttle
from reconciler.client.transport import Transport
from reconciler.errors import ApiError, BadRequest, Conflict, NotFound, RateLimited, TransportError

log = logging.getLogger("reconciler.client")
USER_AGENT = f"circleci-reconciler/{__version__}"
SECRET_FIELDS = frozenset({"value", "signing-secret", "signing_secret", "private_key"})
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _NoAnswer:
    error: TransportError
    sent: bool  # False when the connection never opened: nothing can have happened
    final: bool = False  # trying again cannot help (the server's certificate is not trusted)


def _classify(exc: requests.RequestException) -> tuple[str, bool]:
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out", False
    if isinstance(exc, requests.exceptions.SSLError):  # nothing was sent before the handshake
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return "its TLS certificate is not trusted (a private CA: --ca-bundle)", False
        return "TLS handshake failed", False
    if isinstance(exc, requests.Timeout):
        return "timed out waiting for the answer", True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, ConnectTimeoutError):  # includes connection refused
        return "could not connect", False
    return "connection dropped", True


def _is_duplicate(err: ApiError) -> bool:
    return isinstance(err, Conflict) or (
        isinstance(err, BadRequest) and "already exists" in err.api_message.lower()
    )


class HttpClient:
    """Thread-safe: one pooled session, one throttle and one counter shared by all threads."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        retry: RetryPolicy | None = None,
        throttle: Throttle | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._token = config.require_token()
        self._wide: frozenset[str] = frozenset()
        self.retry = retry or RetryPolicy(max_retry_wait=config.max_retry_wait)
        self.throttle = throttle or Throttle(
            max_wait=config.max_retry_wait, clock=clock, wall=wall, sleep=sleep
        )
        self._sleep, self._clock, self._wall = sleep, clock, wall
        self._slots = threading.BoundedSemaphore(config.concurrency)
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._retry_wait = 0.0
        self._transport = Transport(
            config,
            {"Circle-Token": self._token, "Accept": "application/json", "User-Agent": USER_AGENT},
        )

    def scrub_also(self, values: Iterable[str]) -> None:
        """Secrets of the run that a request may carry outside a secret field (a file
        uploaded whole), blanked out of the error answers of requests with a body too."""
        self._wide = long_forms(values)

    def __repr__(self) -> str:
        return f"HttpClient(host={self.config.host!r}, concurrency={self.config.concurrency})"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def requests_sent(self) -> int:
        with self._lock:
            return self._counts["requests"]

    def stats(self) -> dict[str, float]:
        """Counters for figures: requests sent, retries and the time spent waiting."""
        with self._lock:
            out: dict[str, float] = dict(self._counts)
            out["retry_wait_seconds"] = round(self._retry_wait, 3)
        out["throttle_wait_seconds"] = round(self.throttle.waited, 3)
        return out

    def _count(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def _wait(self, seconds: float) -> None:
        self._count("retries")
        with self._lock:
            self._retry_wait += seconds
        self._sleep(seconds)

    def _send(
        self, method: str, url: str, shown: str, params: dict[str, Any] | None, body: Any
    ) -> requests.Response | _NoAnswer:
        sent_at = self.throttle.acquire()
        timeout = (min(10.0, self.config.timeout), self.config.timeout)
        with self._slots:
            self._count("requests")
            start = self._clock()
            try:
                resp = self._transport.send(method, url, params, body, timeout)
                # Read the body here: a connection lost mid-body is no answer.
                resp.content  # noqa: B018
            except requests.RequestException as exc:
                self.throttle.release()
                what, sent = _classify(exc)
                self._count("no_answer")
                log.debug("%s %s -> no answer: %s", method, shown, what)
                err = TransportError(
                    f"no answer from CircleCI at {self.config.host}: {what}",
                    method=method,
                    path=shown,
                )
                return _NoAnswer(err, sent, final="not trusted" in what)
        self.throttle.observe(resp.headers, sent_at)
        elapsed = (self._clock() - start) * 1000
        log.debug("%s %s -> %s in %.0f ms", method, shown, resp.status_code, elapsed)
        return resp

    def request(
        self,
        method: str,
        path: str,
        *,
        api: str = "v2",
        params: dict[str, Any] | None = None,
        json: Any = None,
        probe: Callable[[], Any] | None = None,
    ) -> Any:
        """Send one logical call and return its parsed body (JSON, text or None).

        A POST is never repeated blindly: after a 5xx or a lost answer, `probe()` says whether
        the first attempt took effect (returns the object, which becomes the result) or not
        (returns None: it is safe to POST again). Without a probe the error is raised.
        """
        method = method.upper()
        url = self.config.base_url(api) + check_path(path)
        shown = f"/api/{api}{path}"
        query = {k: v for k, v in (params or {}).items() if v is not None} or None
        secrets = [self._token] + self._secrets(json)
        attempts = Attempts()
        ambiguous = False  # an earlier attempt of this call may have taken effect
        while True:
            got = self._send(method, url, shown, query, json)
            retry_after = None
            if isinstance(got, _NoAnswer):
                err: ApiError = got.error
                if got.final:
                    raise err
                if not got.sent:  # nothing reached the server: any method may go again
                    delay = self.retry.on_failure(attempts, method)
                    if delay is None:
                        raise err
                    self._wait(delay)
                    continue
            else:
                status = got.status_code
                body = parse_body(got.content)
                if status < 300:
                    return body
                wide = self._wide if json is not None else frozenset()  # what it sent
                err = error_for(status, body, method=method, path=shown, secrets=secrets, wide=wide)
                retry_after = parse_retry_after(got.headers.get("Retry-After"), self._wall())
                if status == 429:
                    self._count("rate_limited")
                    delay = self.retry.on_rate_limited(attempts, retry_after)
                    if delay is None:
                        budget = f"{self.retry.max_retry_wait:g}s retry budget"
                        raise RateLimited(
                            f"{err.api_message} (gave up: waiting on would pass the {budget})",
                            method=method,
                            path=shown,
                        )
                    self.throttle.pause(delay)
                    self._wait(delay)
                    continue
                if status < 500:
                    if ambiguous:
                        return self._resolve(method, err, probe)
                    raise err
                self._count("server_errors")
            if not self.retry.is_idempotent(method):
                if probe is None:
                    raise err
                found = probe()
                if found is not None:
                    return found
            ambiguous = True
            delay = self.retry.on_failure(attempts, method, retry_after)
            if delay is None:
                raise err
            self._wait(delay)

    @staticmethod
    def _resolve(method: str, err: ApiError, probe: Callable[[], Any] | None) -> Any:
        """A 4xx after an attempt that may have taken effect: was it our own earlier write?"""
        if method == "DELETE" and isinstance(err, NotFound):
            return None  # the lost attempt deleted it
        if method == "POST" and probe is not None and _is_duplicate(err):
            found = probe()
            if found is not None:
                return found
        raise err

    @staticmethod
    def _secrets(body: Any) -> list[str]:
        if not isinstance(body, dict):
            return []
        return [v for k, v in body.items() if k in SECRET_FIELDS and isinstance(v, str) and v]

    def get_all(
        self, path: str, *, api: str = "v2", params: dict[str, Any] | None = None
    ) -> list[Any]:
        """Every item of a paginated GET, following next_page_token via `page-token`."""

        def fetch(token: str | None) -> Any:
            query = dict(params or {})
            if token is not None:
                query["page-token"] = token
            return self.request("GET", path, api=api, params=query)

        return read_all(fetch, what=f"GET /api/{api}{path}")

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """fn over items on `concurrency` threads; results in input order. If any call
        failed, the first failure (in input order) is raised once all calls have finished."""
        todo = list(items)
        if not todo:
            return []
        workers = min(self.config.concurrency, len(todo))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="circleci")
        futures = [pool.submit(fn, item) for item in todo]
        try:
            wait_all(futures)
        finally:
            # On an interrupt, calls already running finish; queued ones never start.
            pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            exc = future.exception()
            if exc is not None:
                raise exc
        return [future.result() for future in futures]
