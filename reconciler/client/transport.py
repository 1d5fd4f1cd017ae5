"""The pooled transport every request goes through: connections reused, and the proxy and
CA settings read from the environment once per run.

requests' `trust_env` rescans the whole process environment (and the proxy bypass list) on
every request; when secrets come from the environment that is thousands of variables per
call. The settings are the same ones requests would find (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
NO_PROXY, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), resolved for the configured host at start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.utils import default_headers, get_environ_proxies

from reconciler.client.config import ClientConfig


def trusted(ca_bundle: str | None, environ: Mapping[str, str] | None = None) -> str | bool:
    """What requests verifies the server with: the configured bundle, else the one the
    environment names for requests (as requests itself would pick), else its default."""
    env = os.environ if environ is None else environ
    return ca_bundle or env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or True


class Transport:
    """Sends prepared requests straight to the pooled adapter: no per-request merging of
    session settings, environment, cookies, hooks or redirects, none of which apply here."""

    def __init__(self, config: ClientConfig, headers: Mapping[str, str]) -> None:
        # requests' defaults (gzip, keep-alive), then ours (token, Accept, User-Agent).
        self.headers = {**default_headers(), **headers}
        # The proxy for the configured host, or none when NO_PROXY exempts it.
        self.proxies = dict(get_environ_proxies(config.host))
        self.verify = trusted(config.ca_bundle)
        # One pool per host, as large as the number of threads sending: each keeps its
        # connection open (keep-alive) from one request to the next.
        self.adapter = HTTPAdapter(pool_connections=2, pool_maxsize=config.concurrency)

    def send(
        self, method: str, url: str, params: Any, body: Any, timeout: tuple[float, float]
    ) -> requests.Response:
        prepared = requests.PreparedRequest()
        prepared.prepare(method=method, url=url, headers=self.headers, params=params, json=body)
        return self.adapter.send(
            prepared, timeout=timeout, verify=self.verify, proxies=self.proxies, stream=False
        )

    def close(self) -> None:
        self.adapter.close()
