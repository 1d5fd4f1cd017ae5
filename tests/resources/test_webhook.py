"""Webhooks export with their signing secret left out (or as a placeholder); one the
manifest would refuse is left alone."""

from __future__ import annotations

from typing import Any

from reconciler.core import Resource
from reconciler.resources.webhook import WebhookKind
from tests.resources.helpers import Export, project

API = project("gh/acme/api", "p1")


def _live(name: str, **raw: Any) -> Resource:
    body = {
        "name": name,
        "id": f"w-{name}",
        "url": "https://hooks.example.com/ci",
        "events": ["workflow-completed", "job-completed"],
        "verify_tls": None,
        "signing_secret": "****abcd",
        **raw,
    }
    return WebhookKind()._live(API.address, body)


def test_a_webhook_is_written_without_its_secret_by_default() -> None:
    out = Export("webhook", API, [_live("slack"), _live("plain", signing_secret="")])
    assert "signing_secret" not in out.text and out.placeholders == []
    assert out.ctx.placeholders.left_out == 1
    assert out.result.value is not None
    slack = next(e.value for e in out.result.value.entries if e.key == "slack")
    assert slack.notes == ["CircleCI reports a signing secret: left out, so left alone"]


def test_a_webhook_is_written_with_a_placeholder_for_its_secret() -> None:
    live = [_live("slack"), _live("plain", signing_secret="")]
    out = Export("webhook", API, live, placeholders=True)
    assert out.text == (
        "webhooks:\n"
        "  plain:\n"
        "    events: [job-completed, workflow-completed]\n"
        "    url: https://hooks.example.com/ci\n"
        "    verify_tls: true\n"
        "  slack:\n"
        "    events: [job-completed, workflow-completed]\n"
        "    signing_secret: {env: API__WEBHOOK_SLACK}\n"
        "    url: https://hooks.example.com/ci\n"
        "    verify_tls: true\n"
    )
    assert out.placeholders == [
        ("API__WEBHOOK_SLACK", "project gh/acme/api, signing secret of webhook slack")
    ]


def test_one_the_manifest_would_refuse_is_hands_off() -> None:
    out = Export("webhook", API, [_live("bad", url="ftp://example.com")])
    assert out.text == "webhooks: {}\n" and out.hands_off == {"webhooks": {"bad"}}
    assert out.ctx.hands_off.why[0].startswith("webhook 'bad' of gh/acme/api: ")
