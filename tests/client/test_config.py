from __future__ import annotations

import pytest

from reconciler.client import ClientConfig, HttpClient
from reconciler.errors import AuthError, ReconcilerError


def test_token_prefers_circleci_token_then_circle_token() -> None:
    both = {"CIRCLECI_TOKEN": "first", "CIRCLE_TOKEN": "second"}
    assert ClientConfig.from_env(environ=both).token == "first"
    assert ClientConfig.from_env(environ={"CIRCLE_TOKEN": "second"}).token == "second"
    assert ClientConfig.from_env(environ={"CIRCLECI_TOKEN": " ", "CIRCLE_TOKEN": "x"}).token == "x"


def test_host_from_argument_then_environment_then_default() -> None:
    env = {"CIRCLECI_TOKEN": "t", "CIRCLECI_HOST": "https://ci.example.com/"}
    assert ClientConfig.from_env(environ=env).host == "https://ci.example.com"
    assert ClientConfig.from_env("http://127.0.0.1:9/", environ=env).host == "http://127.0.0.1:9"
    assert ClientConfig.from_env(environ={"CIRCLECI_TOKEN": "t"}).host == "https://circleci.com"
    cfg = ClientConfig.from_env(environ=env, concurrency=3)
    assert cfg.concurrency == 3
    assert cfg.base_url("v2") == "https://ci.example.com/api/v2"
    assert cfg.base_url("v1.1") == "https://ci.example.com/api/v1.1"


def test_bare_host_name_gets_https() -> None:
    assert ClientConfig(host="ci.example.com").host == "https://ci.example.com"
    with pytest.raises(ReconcilerError):
        ClientConfig(host="ftp://ci.example.com")


def test_missing_token_is_an_auth_error_naming_the_variables() -> None:
    with pytest.raises(AuthError) as info:
        ClientConfig.from_env(environ={"CIRCLECI_HOST": "https://x"})
    assert "CIRCLECI_TOKEN" in str(info.value) and "CIRCLE_TOKEN" in str(info.value)
    assert "HTTP" not in str(info.value)  # nothing was sent
    with pytest.raises(AuthError):
        HttpClient(ClientConfig())


def test_repr_never_shows_the_token() -> None:
    cfg = ClientConfig(token="s3cr3t-tok")
    for text in (repr(cfg), str(cfg), repr(HttpClient(cfg))):
        assert "s3cr3t-tok" not in text
    assert "token=<set>" in repr(cfg)
    assert cfg == ClientConfig(token="other")  # the token takes no part in comparisons
