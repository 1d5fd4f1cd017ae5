"""Project env vars export as placeholders named after the project; bad names are left alone."""

from __future__ import annotations

from pathlib import Path

from reconciler.core import Reason, Resource, Scope
from reconciler.diff import Comparison, compare
from reconciler.resources import REGISTRY
from reconciler.resources.project_env_var import masked_suffix
from tests.resources.helpers import (
    WRITTEN_AT,
    Export,
    changes,
    child,
    desired,
    ledger,
    load,
    plan_ctx,
    project,
    read_live,
)
from tests.support.emulator_fixture import MakeEmulator

API = project("gh/acme/api", "p1")
KIND = REGISTRY["project_env_var"]


def test_variables_are_adopted_by_default() -> None:
    live = [child("project_env_var", API, "env_var", n) for n in ("NPM_TOKEN", "A")]
    out = Export("project_env_var", API, live)
    assert out.text == "env_vars:\n  A: {}\n  NPM_TOKEN: {}\n"
    assert out.placeholders == [] and out.ctx.placeholders.adopted == 2


def test_values_become_placeholders_and_invalid_names_hands_off() -> None:
    live = [child("project_env_var", API, "env_var", n) for n in ("NPM_TOKEN", "9BAD", "A")]
    out = Export("project_env_var", API, live, placeholders=True)
    assert out.text == ("env_vars:\n  A: {env: API__A}\n  NPM_TOKEN: {env: API__NPM_TOKEN}\n")
    assert out.hands_off == {"env_vars": {"9BAD"}}
    assert out.ctx.hands_off.why == ["env var '9BAD' of gh/acme/api: not a valid manifest name"]
    assert [name for name, _ in out.placeholders] == ["API__A", "API__NPM_TOKEN"]


def test_a_standalone_project_names_placeholders_by_its_name() -> None:
    app = project("circleci/Org1/Proj1", "p9", name="app")
    out = Export(
        "project_env_var", app, [child("project_env_var", app, "env_var", "K")], placeholders=True
    )
    assert out.text == "env_vars:\n  K: {env: APP__K}\n"


# --- desired ------------------------------------------------------------------------------


def test_desired_values_references_versions_protect_and_adoption(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        projects:
          github/acme/api:
            env_vars:
              LOG_LEVEL: debug
              NPM_TOKEN: {env: NPM_TOKEN, version: 2, protect: true}
              CODECOV_TOKEN: {}
        """,
    )
    found, scopes = desired("project_env_var", manifest)
    assert list(found) == [
        f"{API.address}.env_var[{n}]" for n in ("CODECOV_TOKEN", "LOG_LEVEL", "NPM_TOKEN")
    ]
    log, npm, codecov = (
        found[f"{API.address}.env_var[{n}]"] for n in ("LOG_LEVEL", "NPM_TOKEN", "CODECOV_TOKEN")
    )
    assert log.parent == API.address and log.fields == {} and log.signal == {"version": None}
    assert log.secret is not None and log.secret.value is not None
    assert log.secret.value.reveal() == "debug" and not log.protect and not log.adopted
    assert npm.secret is not None and npm.secret.env == "NPM_TOKEN"
    assert npm.signal == {"version": 2} and npm.protect
    assert codecov.adopted and not codecov.protect
    assert scopes == [Scope(API.address, "project_env_var")]


def test_desired_hands_off_when_absent_and_none_wanted_when_empty(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        projects:
          gh/acme/api: {}
          gh/acme/web:
            env_vars: {}
        """,
    )
    found, scopes = desired("project_env_var", manifest)
    assert found == {}
    assert scopes == [Scope("project[gh/acme/web]", "project_env_var")]


# --- normalise ----------------------------------------------------------------------------


def test_live_variables_carry_the_mask_and_the_edn_timestamp(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    values = {"NPM_TOKEN": "npm-secret-1234", "SHORT": "abc", "TINY": "a", "UMLAUT": "pässwörd"}
    seed = {"organizations": {"gh/acme": {"projects": {"gh/acme/api": {"env_vars": values}}}}}
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    env_vars: {}\n")
    live = read_live(emulator_factory(seed=seed), manifest, "project_env_var")
    assert sorted(live) == [f"{API.address}.env_var[{n}]" for n in sorted(values)]
    masks = {r.name: r.signal["masked"] for r in live.values()}
    assert masks == {
        "NPM_TOKEN": "xxxx1234",
        "SHORT": "xxxxc",
        "TINY": "xxxx",
        "UMLAUT": "xxxxswrd",
    }
    npm = live[f"{API.address}.env_var[NPM_TOKEN]"]
    assert npm.fields == {} and npm.parent == API.address and npm.secret is None
    # POST rewrites a variable, so its creation time is the time of its last write.
    assert str(npm.signal["created_at"]).startswith("#joda/inst ")
    assert npm.signal["updated_at"] == npm.signal["created_at"]


def test_only_a_mask_that_shows_characters_has_a_suffix() -> None:
    assert masked_suffix("xxxx1234") == "1234"
    assert masked_suffix("xxxx") is None  # one or two characters show none
    assert masked_suffix("****1234") is None and masked_suffix(None) is None


# --- compare ------------------------------------------------------------------------------


def _var(name: str, masked: str | None) -> Resource:
    return child("project_env_var", API, "env_var", name, signal={"masked": masked})


def _compare(tmp_path: Path, masked: str | None, value: str) -> Comparison:
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    env_vars:\n      K: {env: K}\n")
    want = desired("project_env_var", manifest)[0][f"{API.address}.env_var[K]"]
    return compare(KIND, want, _var("K", masked), plan_ctx(manifest, K=value))


def test_a_value_ending_as_the_mask_shows_is_not_a_change(tmp_path: Path) -> None:
    same = _compare(tmp_path, "xxxx1234", "npm-secret-1234")
    assert same.changed == []
    assert same.notes == []
    assert same.unseen == (
        "value not compared: CircleCI shows only its last 4 characters, too few to tell"
    )
    # CircleCI's mask skips characters outside ASCII: either reading of that rule matches.
    assert _compare(tmp_path, "xxxxswrd", "pässwörd").changed == []


def test_a_value_ending_otherwise_is_an_update_because_the_secret_differs(tmp_path: Path) -> None:
    found = _compare(tmp_path, "xxxx1234", "npm-secret-9999")
    assert found.changed == ["value"] and found.cause is Reason.SECRET_DIFFERS
    assert found.notes == ["CircleCI's masked value ends differently"]


def test_a_bare_mask_cannot_compare_the_value(tmp_path: Path) -> None:
    found = _compare(tmp_path, "xxxx", "a")
    assert (
        found.changed == []
        and found.unseen == "value not compared: CircleCI shows no part of this value"
    )


def test_diff_updates_a_changed_value_deletes_an_unlisted_one_and_keeps_an_adopted_one(
    tmp_path: Path,
) -> None:
    manifest = load(
        tmp_path,
        """
        projects:
          gh/acme/api:
            env_vars:
              SAME: {env: SAME}
              MOVED: {env: MOVED}
              ADOPTED: {}
              NEW: new-value
        """,
    )
    want, scopes = desired("project_env_var", manifest)
    have = [
        _var("SAME", "xxxx1234"),
        _var("MOVED", "xxxx1234"),
        _var("ADOPTED", "xxxx"),
        _var("OLD", "xxxx"),
    ]
    ctx = plan_ctx(manifest, SAME="same-1234", MOVED="moved-5678")
    assert changes(list(want.values()), have, ctx, scopes) == [
        ("update", f"{API.address}.env_var[MOVED]", ["value"]),
        ("create", f"{API.address}.env_var[NEW]", []),
        ("delete", f"{API.address}.env_var[OLD]", []),
    ]


def test_with_a_ledger_a_bumped_version_is_rewritten_though_the_mask_matches(
    tmp_path: Path,
) -> None:
    manifest = load(
        tmp_path, "projects:\n  gh/acme/api:\n    env_vars:\n      K: {env: K, version: 2}\n"
    )
    want = desired("project_env_var", manifest)[0][f"{API.address}.env_var[K]"]
    have = child(
        "project_env_var",
        API,
        "env_var",
        "K",
        signal={"masked": "xxxx1234", "updated_at": WRITTEN_AT},
    )
    written = ledger(tmp_path, (want.address, "npm-secret-1234", 1))
    found = compare(KIND, want, have, plan_ctx(manifest, written, K="npm-secret-1234"))
    assert found.changed == ["value"] and found.cause is Reason.VERSION_BUMPED
    assert found.notes == ["version bumped to 2"]


def test_a_later_write_in_circleci_is_seen_through_its_edn_timestamp(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    seed = {
        "organizations": {"gh/acme": {"projects": {"gh/acme/api": {"env_vars": {"K": "v-1234"}}}}}
    }
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    env_vars:\n      K: {env: K}\n")
    have = read_live(emulator_factory(seed=seed), manifest, "project_env_var")
    want = desired("project_env_var", manifest)[0][f"{API.address}.env_var[K]"]
    written = ledger(tmp_path, (want.address, "v-1234", None))  # before the seed's write
    found = compare(KIND, want, have[want.address], plan_ctx(manifest, written, K="v-1234"))
    assert found.changed == ["value"] and found.cause is Reason.CHANGED_BY_HAND
