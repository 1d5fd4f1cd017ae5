"""The pooled session every request goes through: connections reused, and the proxy and CA
settings read from the environment once per run.

requests' `trust_env` rescans the whole process environment (and the proxy bypass list) on
every request; when secrets come from the environment that is thousands of variables per
call. The settings are the same ones requests would find (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
NO_PROXY, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), resolved for the configured host at start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from http.cookiejar import DefaultCookiePolicy

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from reconciler.client.config import ClientConfig


def trusted(ca_bundle: str | None, environ: Mapping[str, str] | None = None) -> str | bool:
    """What requests verifies the server with: the configured bundle, else the one the
    environment names for requests (as requests itself would pick), else its default."""
    env = os.environ if environ is None else environ
    return ca_bundle or env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or True


def make_session(config: ClientConfig, headers: Mapping[str, str]) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no per-request scan of the environment, no ~/.netrc
    # The proxy for the configured host, or none when NO_PROXY exempts it.
    session.proxies = dict(get_environ_proxies(config.host))
    session.verify = trusted(config.ca_bundle)
    # One pool per host, as large as the number of threads sending: each keeps its connection.
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=config.concurrency, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # no shared state
    session.headers.update(headers)
    return session
