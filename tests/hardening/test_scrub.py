"""API error text that echoes a secret, in any encoding: nothing of the secret is shown."""

from __future__ import annotations

import json

import pytest

from reconciler.client.response import error_for
from tests.hardening.echo import AWKWARD, SHORT, forms, hits


def bodies(echoed: str) -> list[object]:
    """The shapes an error body takes: flat, nested as GitHub's JSON string, HTML, text."""
    return [
        {"message": f"invalid value {echoed} (rejected)"},
        {"message": json.dumps({"message": f"Validation Failed: {echoed}", "errors": []})},
        {"error": {"title": "Bad", "detail": f"value {echoed}"}},
        f"<html><head><title>400 {echoed}</title></head></html>",
        f"bad value: {echoed}",
    ]


@pytest.mark.parametrize("secret", AWKWARD, ids=["pem", "service-account", "quoted", "unicode"])
def test_every_echoed_encoding_of_a_secret_is_blanked(secret: str) -> None:
    for echoed in forms(secret):
        for body in bodies(echoed):
            err = error_for(400, body, method="POST", path="/x", secrets=["tok-123456", secret])
            assert hits(str(err), [secret]) == [], (echoed[:40], str(err))


def test_a_long_nested_message_is_scrubbed_before_it_is_cut() -> None:
    secret = 's3cr3t-"' + "k" * 400 + "\nend"
    body = {"message": json.dumps({"message": "x" * 20 + json.dumps(secret)})}
    err = error_for(422, body, method="POST", path="/x", secrets=[secret])
    assert hits(str(err), [secret]) == []
    assert len(err.api_message) <= 300


@pytest.mark.parametrize("secret", ["A", *SHORT])
def test_a_secret_too_short_to_mask_drops_the_servers_text(secret: str) -> None:
    text = f"A context already exists {secret} with this name"
    err = error_for(409, {"message": text}, method="POST", path="/context", secrets=[secret])
    assert "context already" not in str(err) and "***" not in str(err)
    assert "withheld" in str(err) and "HTTP 409: Conflict" in str(err)
    untouched = error_for(
        409, {"message": "Already there."}, method="POST", path="/c", secrets=["Ωǂ"]
    )
    assert untouched.api_message == "Already there."


def test_the_runs_other_secrets_are_starred_but_a_short_one_withholds_nothing() -> None:
    """A secret the request did not send is starred all the same; one too short to star is
    left alone (it would withhold most answers) rather than withholding the text."""
    from reconciler.client.scrub import Scrubber, long_forms

    cleaned = Scrubber(["own-secret"], wide=long_forms(["ab", "run-secret"])).clean(
        "ab: own-secret and run-secret"
    )
    assert cleaned == "ab: *** and ***"
    assert Scrubber(["ab"]).clean("ab: x") is None  # the request's own short value: withheld
