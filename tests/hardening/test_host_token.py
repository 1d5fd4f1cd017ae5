"""The token goes only to the configured host, over https (plain http only to loopback or when
asked), and a token a header cannot carry is refused before any request."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.client.config import ClientConfig
from reconciler.errors import ReconcilerError
from tests.e2e.harness import Cli, complete, write_manifest

REFUSED = {
    "http://ci.example.com": "plain http",
    "http://circleci.com@evil.example": "user name or password",
    "https://circleci.com@evil.example": "user name or password",
    "https://deploy:hunter2pass@circleci.com": "user name or password",
    "https://circleci.com?x=.evil.example": "query or fragment",
    "https://circleci.com#.evil.example": "query or fragment",
    "https://circleci.com/api/v2": "without a path",
    "ftp://circleci.com": "https URL",
    "https://circle ci.com": "spaces or control characters",
}


@pytest.mark.parametrize(("host", "why"), list(REFUSED.items()))
def test_hosts_that_would_misroute_or_expose_the_token_are_refused(host: str, why: str) -> None:
    with pytest.raises(ReconcilerError) as caught:
        ClientConfig(host=host, token="t")
    assert why in str(caught.value)
    assert "hunter2pass" not in str(caught.value) and "deploy" not in str(caught.value)


def test_plain_http_to_loopback_is_allowed_and_elsewhere_only_when_asked() -> None:
    for host in ("http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"):
        assert ClientConfig(host=host).host == host
    assert ClientConfig(host="ci.example.com").host == "https://ci.example.com"
    assert ClientConfig(host="http://ci.example.com", allow_http=True).host.startswith("http:")


def test_the_cli_refuses_before_any_request_and_warns_when_http_is_allowed(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path, complete())
    port = world.url.rsplit(":", 1)[1]
    run = cli("plan", path, env={"CIRCLECI_HOST": f"http://me:hunter2pass@127.0.0.1:{port}"})
    assert run.exit_code == 1 and "hunter2pass" not in run.stdout + run.stderr
    assert world.requests() == []
    # 0.0.0.0 is not a loopback address, yet a connection to it reaches this machine's
    # listeners: refused without the flag, used (with a warning) with it.
    host = f"http://0.0.0.0:{port}"
    run = cli("plan", path, "--host", host)
    assert run.exit_code == 1 and "plain http" in run.stderr and world.requests() == []
    run = cli("plan", path, "--allow-http", "--host", host)
    assert run.exit_code == 0, run.stderr
    assert run.stderr.startswith(f"Warning: {host} is plain http")


@pytest.mark.parametrize("token", ["tok\u0107en", "tok\nen", "tok\ren", "tok\x1ben", "tok\u2028en"])
def test_a_token_a_header_cannot_carry_is_refused_up_front(
    cli: Cli, world: Any, tmp_path: Path, token: str
) -> None:
    path = write_manifest(tmp_path, complete())
    started = time.monotonic()
    run = cli("plan", path, env={"CIRCLECI_TOKEN": token})
    assert run.exit_code == 1
    assert run.stderr.count("\n") == 1 and "the token in CIRCLECI_TOKEN holds" in run.stderr
    assert "Traceback" not in run.stderr and "connection dropped" not in run.stderr
    assert time.monotonic() - started < 5
    assert world.requests() == []
