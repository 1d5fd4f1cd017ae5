"""The session: proxies and CA settings read from the environment once, connections reused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.client import CircleCI, ClientConfig
from reconciler.client.transport import Transport, trusted
from reconciler.emulator import EmulatorConfig, EmulatorServer
from reconciler.errors import TransportError

TOKEN = "transport-token"


def test_ca_bundle_comes_from_the_option_then_circleci_ca_bundle() -> None:
    env = {"CIRCLECI_TOKEN": "t", "CIRCLECI_CA_BUNDLE": "/env/ca.pem"}
    assert ClientConfig.from_env(environ=env).ca_bundle == "/env/ca.pem"
    assert ClientConfig.from_env(environ=env, ca_bundle="/flag.pem").ca_bundle == "/flag.pem"
    assert ClientConfig.from_env(environ={"CIRCLECI_TOKEN": "t"}).ca_bundle is None


def test_the_configured_bundle_beats_the_environment_as_requests_would_order_it() -> None:
    env = {"REQUESTS_CA_BUNDLE": "/requests.pem", "CURL_CA_BUNDLE": "/curl.pem"}
    assert trusted("/mine.pem", env) == "/mine.pem"
    assert trusted(None, env) == "/requests.pem"
    assert trusted(None, {"CURL_CA_BUNDLE": "/curl.pem"}) == "/curl.pem"
    assert trusted(None, {}) is True


def test_proxies_are_resolved_once_for_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = Transport(ClientConfig(host="https://circleci.com"), {})
    assert transport.proxies.get("https") == "http://proxy.internal:3128"
    monkeypatch.setenv("NO_PROXY", "circleci.example.com,.corp")
    exempt = Transport(ClientConfig(host="https://circleci.example.com"), {})
    assert "https" not in exempt.proxies


@pytest.fixture
def tls_server(tmp_path: Path) -> Any:
    server = EmulatorServer(EmulatorConfig(tokens=[TOKEN], tls=True, tls_dir=tmp_path))
    server.start()
    yield server
    server.stop()


def test_a_tls_emulator_is_trusted_through_the_ca_bundle_over_few_connections(
    tls_server: EmulatorServer,
) -> None:
    config = ClientConfig(
        host=tls_server.url, token=TOKEN, concurrency=4, ca_bundle=str(tls_server.ca_file)
    )
    api = CircleCI(config)
    found = api.map(lambda _: api.me()["login"], range(40))
    assert len(found) == 40
    assert tls_server.connections_opened <= config.concurrency


def test_without_the_bundle_the_emulator_is_not_trusted(tls_server: EmulatorServer) -> None:
    api = CircleCI(ClientConfig(host=tls_server.url, token=TOKEN, max_retry_wait=0))
    with pytest.raises(TransportError, match="--ca-bundle"):
        api.me()
