"""Webhooks export with their signing secret left out (or as a placeholder); one the
manifest would refuse is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.client import normalize
from reconciler.core import PlanContext, Reason, Resource, Scope
from reconciler.diff import compare
from reconciler.resources import REGISTRY
from reconciler.resources.webhook import WebhookKind
from tests.resources.helpers import (
    Export,
    changes,
    child,
    client,
    desired,
    ledger,
    load,
    plan_ctx,
    project,
    read_live,
)
from tests.support.emulator_fixture import MakeEmulator

API = project("gh/acme/api", "p1")
KIND = REGISTRY["webhook"]


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


# --- desired ------------------------------------------------------------------------------

HOOKS = """
projects:
  gh/acme/api:
    webhooks:
      slack:
        url: https://hooks.example.com/ci
        events: [workflow-completed, job-completed]
        signing_secret: {env: HOOK_SECRET, version: 4}
        protect: true
      plain:
        url: https://hooks.example.com/plain
        events: [job-completed]
        verify_tls: false
  gh/acme/web: {}
  gh/acme/lib:
    webhooks: {}
"""


def test_desired_fields_secret_and_scopes(tmp_path: Path) -> None:
    found, scopes = desired("webhook", load(tmp_path, HOOKS))
    assert list(found) == [f"{API.address}.webhook[plain]", f"{API.address}.webhook[slack]"]
    plain, slack = found.values()
    assert slack.fields == {
        "url": "https://hooks.example.com/ci",
        "events": ["job-completed", "workflow-completed"],  # a set: one order
        "verify_tls": True,  # the default
    }
    assert slack.secret is not None and slack.secret.env == "HOOK_SECRET"
    assert slack.signal == {"version": 4} and slack.protect
    assert plain.fields["verify_tls"] is False and plain.secret is None and not plain.protect
    assert plain.signal == {"version": None}
    assert scopes == [
        Scope("project[gh/acme/api]", "webhook"),
        Scope("project[gh/acme/lib]", "webhook"),
    ]


# --- normalise ----------------------------------------------------------------------------


def test_live_webhooks_read_from_circleci_spellings(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    hook = {
        "url": "https://hooks.example.com/ci",
        "events": ["workflow-completed", "job-completed"],
    }
    hooks = {"slack": {**hook, "signing_secret": "s3cret"}, "plain": {**hook, "verify_tls": False}}
    seed = {"organizations": {"gh/acme": {"projects": {"gh/acme/api": {"webhooks": hooks}}}}}
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    webhooks: {}\n")
    live = read_live(emulator_factory(seed=seed), manifest, "webhook")
    slack, plain = live[f"{API.address}.webhook[slack]"], live[f"{API.address}.webhook[plain]"]
    assert slack.fields == {
        "url": "https://hooks.example.com/ci",
        "events": ["job-completed", "workflow-completed"],
        "verify_tls": True,
    }
    assert plain.fields["verify_tls"] is False
    assert slack.signal["masked"] == plain.signal["masked"] == "****"  # never the secret
    assert slack.ids["id"] and slack.ids["id"] != plain.ids["id"]


def test_kebab_case_null_and_missing_fields_read_as_the_defaults() -> None:
    raw = {
        "id": "w1",
        "name": "slack",
        "url": "https://hooks.example.com/ci",
        "verify-tls": None,
        "signing-secret": "****abcd",
        "updated-at": "2026-01-02T03:04:05Z",
    }
    live = WebhookKind()._live(API.address, normalize.webhook(raw))
    assert live.fields == {"url": "https://hooks.example.com/ci", "events": [], "verify_tls": True}
    assert live.signal == {"masked": "****abcd", "updated_at": "2026-01-02T03:04:05Z"}


def test_a_name_given_twice_keeps_the_oldest_and_addresses_the_other_by_id(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    emu = emulator_factory(seed={"organizations": {"gh/acme": {"projects": {"gh/acme/api": {}}}}})
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    webhooks: {}\n")
    api = client(emu)
    pid = api.get_project("gh/acme/api")["id"]
    for url in ("https://one.example.com", "https://two.example.com"):
        body = {
            "name": "dup",
            "url": url,
            "events": ["job-completed"],
            "verify_tls": True,
            "signing_secret": "",
            "scope": {"id": pid, "type": "project"},
        }
        api.create_webhook(body)
    live = read_live(emu, manifest, "webhook")
    first = live[f"{API.address}.webhook[dup]"]
    assert first.fields["url"] == "https://one.example.com"
    (other,) = (r for r in live.values() if r is not first)
    assert (
        other.name == f"dup:{other.ids['id']}" and other.fields["url"] == "https://two.example.com"
    )


# --- compare ------------------------------------------------------------------------------


def _live_hook(name: str = "slack", masked: str = "****", **fields: object) -> Resource:
    base = {
        "url": "https://hooks.example.com/ci",
        "events": ["job-completed", "workflow-completed"],
        "verify_tls": True,
    }
    return child(
        "webhook",
        API,
        "webhook",
        name,
        fields={**base, **fields},
        signal={"masked": masked},
        ids={"id": f"w-{name}"},
    )


def _slack(tmp_path: Path) -> tuple[Resource, PlanContext]:
    manifest = load(tmp_path, HOOKS)
    want = desired("webhook", manifest)[0][f"{API.address}.webhook[slack]"]
    return want, plan_ctx(manifest, HOOK_SECRET="s")


def test_equal_after_normalisation_is_no_change_and_the_secret_not_compared(tmp_path: Path) -> None:
    want, ctx = _slack(tmp_path)
    found = compare(KIND, want, _live_hook(events=["workflow-completed", "job-completed"]), ctx)
    assert (
        found.changed == []
        and found.unseen == "value not compared: CircleCI masks webhook signing secrets"
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("url", "https://elsewhere.example.com"),
        ("events", ["job-completed"]),
        ("verify_tls", False),
    ],
)
def test_each_compared_field_that_differs_is_an_update(
    tmp_path: Path, field: str, value: object
) -> None:
    want, ctx = _slack(tmp_path)
    found = compare(KIND, want, _live_hook(**{field: value}), ctx)
    assert found.changed == [field] and found.cause is Reason.FIELDS_DIFFER
    assert changes([want], [_live_hook(**{field: value})], ctx) == [
        ("update", want.address, [field])
    ]


def test_a_secret_circleci_does_not_hold_is_written(tmp_path: Path) -> None:
    want, ctx = _slack(tmp_path)
    found = compare(KIND, want, _live_hook(masked=""), ctx)
    assert found.changed == ["signing_secret"] and found.cause is Reason.SECRET_DIFFERS
    assert found.notes == ["CircleCI reports no signing secret"]


def test_a_webhook_without_a_secret_in_the_manifest_leaves_the_live_one_alone(
    tmp_path: Path,
) -> None:
    manifest = load(tmp_path, HOOKS)
    want = desired("webhook", manifest)[0][f"{API.address}.webhook[plain]"]
    live = _live_hook(
        "plain", url="https://hooks.example.com/plain", events=["job-completed"], verify_tls=False
    )
    assert compare(KIND, want, live, plan_ctx(manifest)).changed == []


def test_with_a_ledger_the_signing_secret_is_compared_by_fingerprint(tmp_path: Path) -> None:
    manifest = load(tmp_path, HOOKS)
    want = desired("webhook", manifest)[0][f"{API.address}.webhook[slack]"]
    have = _live_hook()
    unrecorded = compare(KIND, want, have, plan_ctx(manifest, ledger(tmp_path), HOOK_SECRET="s"))
    assert unrecorded.changed == ["signing_secret"]
    assert unrecorded.cause is Reason.SECRET_UNRECORDED
    written = ledger(tmp_path, (want.address, "s", 4))
    same = compare(KIND, want, have, plan_ctx(manifest, written, HOOK_SECRET="s"))
    assert same.changed == [] and same.notes == []
