"""Context env vars export as placeholders named after the context."""

from __future__ import annotations

from tests.resources.helpers import Export, child, context

PROD = context("aws-prod", "c1")


def test_values_become_placeholders_and_invalid_names_hands_off() -> None:
    live = [child("context_env_var", PROD, "env_var", n) for n in ("KEY", "bad name")]
    assert Export("context_env_var", PROD, live).text == "env_vars:\n  KEY: {}\n"
    out = Export("context_env_var", PROD, live, placeholders=True)
    assert out.text == "env_vars:\n  KEY: {env: CTX_AWS_PROD__KEY}\n"
    assert out.hands_off == {"env_vars": {"bad name"}}
    assert out.ctx.hands_off.why == ["env var 'bad name' of context 'aws-prod': invalid name"]


def test_an_empty_collection_is_written_empty() -> None:
    assert Export("context_env_var", PROD, []).text == "env_vars: {}\n"
