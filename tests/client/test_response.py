from __future__ import annotations

import json

import pytest

from reconciler.client.response import error_for, message_of, parse_body
from reconciler.errors import (
    ApiError,
    AuthError,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        (b'{"message" : "Project not found"}', {"message": "Project not found"}),
        (b"[]", []),
        (b"Rate limited.", "Rate limited."),
        (b"", None),
        (b"  \n", None),
        (b"{not json", "{not json"),
        (b"null", None),
        (b"42", 42),
    ],
)
def test_body_is_sniffed_not_trusted(raw: bytes, parsed: object) -> None:
    assert parse_body(raw) == parsed


def test_nested_github_error_is_unwrapped() -> None:
    inner = {
        "message": "Not Found",
        "documentation_url": "https://developer.github.com/v3/repos/#get",
    }
    body = {"message": json.dumps(inner)}
    assert message_of(body) == "Not Found (from the VCS provider)"


def test_other_error_envelopes() -> None:
    assert message_of({"error": "Forbidden"}) == "Forbidden"
    assert message_of({"error": {"title": "Bad", "detail": "field x"}}) == "field x"
    assert message_of("<!DOCTYPE html><html><title>404 Not Found</title></html>") == "404 Not Found"
    assert message_of("<html><body><h1>Oops</h1></body></html>") == "Oops"
    assert len(message_of("x" * 5000)) <= 300


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, AuthError),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (405, ApiError),
    ],
)
def test_status_maps_to_typed_error(status: int, cls: type[ApiError]) -> None:
    err = error_for(status, {"message": "m."}, method="GET", path="/api/v2/x")
    assert type(err) is cls
    assert err.status == status
    assert err.api_message.startswith("m.")
    assert str(err).startswith(f"GET /api/v2/x: HTTP {status}: m.")


def test_empty_body_falls_back_to_the_reason_phrase() -> None:
    assert error_for(500, None, method="GET", path="/p").api_message == "Internal Server Error"


def test_401_hints_at_the_token_variables() -> None:
    err = error_for(401, {"message": "Invalid token provided."}, method="GET", path="/me")
    assert "Invalid token provided." in str(err) and "CIRCLECI_TOKEN" in str(err)


def test_secrets_are_scrubbed_from_messages() -> None:
    err = error_for(
        400, {"message": "bad value hunter22x"}, method="POST", path="/p", secrets=["hunter22x"]
    )
    assert "hunter22x" not in str(err)


def test_long_and_multi_line_secrets_are_blanked_before_folding() -> None:
    from reconciler.client.response import error_for

    pem = "-----BEGIN KEY-----\nABCDEF0123456789\n-----END KEY-----"
    long_value = "x" * 280 + "SECRETTAIL"
    for secret in (pem, long_value):
        err = error_for(
            400,
            {"message": f"invalid value: {secret} (rejected)"},
            method="PUT",
            path="/x",
            secrets=[secret],
        )
        text = str(err)
        assert "ABCDEF0123456789" not in text and "SECRETTAIL" not in text
        assert "xxxxxxxxxx" not in text
