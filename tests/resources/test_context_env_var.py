"""Context env vars export as placeholders named after the context."""

from __future__ import annotations

from pathlib import Path

from reconciler.core import Reason, Scope
from reconciler.diff import Comparison, compare
from reconciler.resources import REGISTRY
from tests.resources.helpers import (
    WRITTEN_AT,
    Export,
    changes,
    child,
    context,
    desired,
    ledger,
    load,
    plan_ctx,
    read_live,
)
from tests.support.emulator_fixture import MakeEmulator

PROD = context("aws-prod", "c1")
KIND = REGISTRY["context_env_var"]


def test_values_become_placeholders_and_invalid_names_hands_off() -> None:
    live = [child("context_env_var", PROD, "env_var", n) for n in ("KEY", "bad name")]
    assert Export("context_env_var", PROD, live).text == "env_vars:\n  KEY: {}\n"
    out = Export("context_env_var", PROD, live, placeholders=True)
    assert out.text == "env_vars:\n  KEY: {env: CTX_AWS_PROD__KEY}\n"
    assert out.hands_off == {"env_vars": {"bad name"}}
    assert out.ctx.hands_off.why == ["env var 'bad name' of context 'aws-prod': invalid name"]


def test_an_empty_collection_is_written_empty() -> None:
    assert Export("context_env_var", PROD, []).text == "env_vars: {}\n"


# --- desired ------------------------------------------------------------------------------


def test_desired_references_and_scopes(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        contexts:
          aws-prod:
            env_vars:
              REGION: eu-west-1
              SECRET: {file: secret.txt, version: 3, protect: true}
          untouched: {}
          emptied:
            env_vars: {}
        """,
    )
    found, scopes = desired("context_env_var", manifest)
    assert list(found) == ["context[aws-prod].env_var[REGION]", "context[aws-prod].env_var[SECRET]"]
    region, secret = found.values()
    assert (
        region.parent == PROD.address and region.fields == {} and region.signal == {"version": None}
    )
    assert secret.secret is not None and secret.secret.file == "secret.txt"
    assert secret.signal == {"version": 3} and secret.protect
    assert scopes == [
        Scope("context[aws-prod]", "context_env_var"),
        Scope("context[emptied]", "context_env_var"),
    ]


# --- normalise ----------------------------------------------------------------------------


def test_live_variables_show_no_value_only_their_times(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    seed = {
        "organizations": {"gh/acme": {"contexts": {"aws-prod": {"env_vars": {"KEY": "v-1234"}}}}}
    }
    manifest = load(tmp_path, "contexts:\n  aws-prod:\n    env_vars: {}\n")
    live = read_live(emulator_factory(seed=seed), manifest, "context_env_var")
    key = live["context[aws-prod].env_var[KEY]"]
    assert key.name == "KEY" and key.parent == PROD.address and key.fields == {}
    assert set(key.signal) == {"created_at", "updated_at"} and key.signal["updated_at"]


# --- compare ------------------------------------------------------------------------------


def test_without_a_ledger_a_value_is_never_compared(tmp_path: Path) -> None:
    manifest = load(tmp_path, "contexts:\n  aws-prod:\n    env_vars:\n      KEY: {env: KEY}\n")
    want, scopes = desired("context_env_var", manifest)
    have = child("context_env_var", PROD, "env_var", "KEY", signal={"updated_at": "2026-01-01"})
    ctx = plan_ctx(manifest, KEY="anything")
    found = compare(KIND, want["context[aws-prod].env_var[KEY]"], have, ctx)
    assert (
        found.changed == []
        and found.unseen == "value not compared: CircleCI never returns context values"
    )
    assert changes(list(want.values()), [have], ctx, scopes) == []


def test_rewrite_requested_writes_what_cannot_be_compared(tmp_path: Path) -> None:
    manifest = load(tmp_path, "contexts:\n  aws-prod:\n    env_vars:\n      KEY: {env: KEY}\n")
    want = desired("context_env_var", manifest)[0]["context[aws-prod].env_var[KEY]"]
    ctx = plan_ctx(manifest, KEY="anything")
    ctx.rewrite_secrets = True
    found = compare(KIND, want, child("context_env_var", PROD, "env_var", "KEY"), ctx)
    assert found.changed == ["value"] and found.cause is Reason.REWRITE_REQUESTED


def test_diff_creates_the_missing_and_deletes_the_unlisted(tmp_path: Path) -> None:
    manifest = load(tmp_path, "contexts:\n  aws-prod:\n    env_vars:\n      NEW: {env: NEW}\n")
    want, scopes = desired("context_env_var", manifest)
    have = [child("context_env_var", PROD, "env_var", "OLD")]
    assert changes(list(want.values()), have, plan_ctx(manifest), scopes) == [
        ("create", "context[aws-prod].env_var[NEW]", []),
        ("delete", "context[aws-prod].env_var[OLD]", []),
    ]


def _judged(tmp_path: Path, value: str, updated_at: str) -> Comparison:
    """KEY, last written as `old-value` at WRITTEN_AT, now `value` in the manifest's source."""
    manifest = load(tmp_path, "contexts:\n  aws-prod:\n    env_vars:\n      KEY: {env: KEY}\n")
    want = desired("context_env_var", manifest)[0]["context[aws-prod].env_var[KEY]"]
    have = child("context_env_var", PROD, "env_var", "KEY", signal={"updated_at": updated_at})
    written = ledger(tmp_path, (want.address, "old-value", None))
    return compare(KIND, want, have, plan_ctx(manifest, written, KEY=value))


def test_with_a_ledger_the_value_is_compared_by_fingerprint(tmp_path: Path) -> None:
    same = _judged(tmp_path, "old-value", WRITTEN_AT)
    assert same.changed == [] and same.notes == []
    moved = _judged(tmp_path, "new-value", WRITTEN_AT)
    assert moved.changed == ["value"] and moved.cause is Reason.SECRET_DIFFERS
    assert moved.notes == ["the source value changed since the last apply"]


def test_with_a_ledger_a_later_write_in_circleci_is_a_change_by_hand(tmp_path: Path) -> None:
    found = _judged(tmp_path, "old-value", "2020-02-01T00:00:00Z")
    assert found.changed == ["value"] and found.cause is Reason.CHANGED_BY_HAND
