"""Defaults by pattern: merged under each matching project's own keys, in the order written,
with the default's positions; checked offline with file:line:col, every problem at once."""

from __future__ import annotations

import uuid
from pathlib import Path

from reconciler.manifest import load_manifest
from reconciler.manifest.names import base58_of_uuid
from reconciler.manifest.resolver import SecretResolver
from tests.manifest.support import HEAD, problems_of, where

DEFAULTS = (
    HEAD
    + """\
defaults:
  "gh/acme/*":
    settings: {build_fork_prs: false, autocancel_builds: true}
    env_vars: {NPM_TOKEN: {}, LOG_LEVEL: info}
    checkout_keys: [deploy-key]
    webhooks:
      slack: {url: "https://hooks.example.com/ci", events: [job-completed]}
  "github/acme/svc-*":
    settings: {build_fork_prs: true}
    env_vars: {LOG_LEVEL: debug}
"""
)


def test_the_project_wins_then_the_later_default(write) -> None:
    path = write(
        DEFAULTS
        + """\
projects:
  gh/acme/api:
    settings: {autocancel_builds: false}
    env_vars: {OWN: x}
    checkout_keys: []
  gh/acme/svc-a: {}
"""
    )
    m = load_manifest([path])
    api, svc = m.projects["gh/acme/api"], m.projects["gh/acme/svc-a"]
    assert api.settings is not None and svc.settings is not None
    assert api.settings.model_dump(exclude_unset=True) == {
        "autocancel_builds": False,  # its own
        "build_fork_prs": False,  # from gh/acme/*
    }
    assert svc.settings.build_fork_prs is True  # svc-* is written later: it wins
    assert sorted(api.env_vars or {}) == ["LOG_LEVEL", "NPM_TOKEN", "OWN"]
    assert (svc.env_vars or {})["NPM_TOKEN"].adopted
    assert api.checkout_keys == [] and [k.value for k in svc.checkout_keys or []] == ["deploy-key"]
    assert sorted(svc.webhooks or {}) == ["slack"]
    # Where each value came from, for plans and drift.
    assert m.default_origin("projects", "gh/acme/svc-a", "settings", "build_fork_prs") == (
        f"defaults 'github/acme/svc-*' ({path}:11)"
    )
    assert m.default_origin("projects", "gh/acme/api", "env_vars", "OWN") is None
    assert m.default_origin("projects", "gh/acme/api", "env_vars") is None  # its own section
    assert m.default_origin("projects", "gh/acme/svc-a", "env_vars") is not None
    where_ = m.position("projects", "gh/acme/svc-a", "env_vars", "LOG_LEVEL")
    assert (where_.file, where_.line) == (str(path), 12)


def test_a_project_skips_a_section_or_one_key(write) -> None:
    path = write(
        DEFAULTS
        + """\
projects:
  gh/acme/api:
    skip_defaults: [env_vars.NPM_TOKEN, settings.build_fork_prs, webhooks]
  gh/acme/svc-a: {skip_defaults: [env_vars]}
"""
    )
    m = load_manifest([path])
    api = m.projects["gh/acme/api"]
    assert sorted(api.env_vars or {}) == ["LOG_LEVEL"]
    assert api.settings is not None and api.settings.model_dump(exclude_unset=True) == {
        "autocancel_builds": True
    }
    assert api.webhooks is None  # hands-off, as if never written
    assert m.projects["gh/acme/svc-a"].env_vars is None


def test_no_defaults_no_change(write) -> None:
    path = write(HEAD + "projects: {gh/acme/api: {env_vars: {A: b}}}\n")
    m = load_manifest([path])
    assert m.projects["gh/acme/api"].env_vars is not None and m.defaults == {}
    assert m.default_origin("projects", "gh/acme/api", "env_vars", "A") is None


def test_problems_are_reported_at_their_place_all_at_once(write) -> None:
    path = write(
        HEAD
        + """\
defaults:
  "gh/acme/nothing-*":
    checkout_keys: [deploy-key]
  "gh/acme/*":
    settings: {no_such_setting: true}
projects:
  gh/acme/api:
    skip_defaults: [webhookz, checkout_keys.deploy-key, settings.nope]
"""
    )
    problems = problems_of(path)
    text = "\n".join(f"{p.line}:{p.col} {p.message}" for p in problems)
    assert where(problems) == [(4, 3), (7, 16), (10, 21), (10, 31), (10, 57)], text
    assert "defaults 'gh/acme/nothing-*' match no project declared" in text
    assert "no_such_setting" in text
    assert "'webhookz' names no section" in text
    assert "checkout_keys is one list" in text and "'nope' is not a key of settings" in text


def test_defaults_apply_across_files_in_reading_order(write, tmp_path: Path) -> None:
    write(HEAD + "defaults: {'gh/acme/*': {env_vars: {MODE: {file: mode}}}}\n", "m/00-org.yaml")
    (tmp_path / "m" / "mode").write_text("from-the-defaults-directory\n")
    write(HEAD + "defaults: {'gh/acme/api': {settings: {build_fork_prs: true}}}\n", "m/10.yaml")
    write(HEAD + "projects: {gh/acme/api: {}}\n", "m/sub/20-api.yaml")
    m = load_manifest([tmp_path / "m", tmp_path / "m" / "sub"])
    api = m.projects["gh/acme/api"]
    assert api.settings is not None and api.settings.build_fork_prs is True
    # A file: reference reads relative to the default's file, not the project's.
    ref = (api.env_vars or {})["MODE"]
    assert SecretResolver({}).resolve(ref).reveal() == "from-the-defaults-directory"


def test_a_glob_written_in_two_files_names_both(write, tmp_path: Path) -> None:
    write(HEAD + "defaults: {'gh/acme/*': {checkout_keys: []}}\n", "m/a.yaml")
    write(HEAD + "defaults: {'gh/acme/*': {}}\nprojects: {gh/acme/x: {}}\n", "m/b.yaml")
    [problem] = problems_of(tmp_path / "m")
    assert problem.file.endswith("b.yaml") and "also written in" in problem.message


def test_what_a_project_cannot_have_a_default_cannot_give(write) -> None:
    org, app, lib = (base58_of_uuid(str(uuid.UUID(int=n))) for n in (1, 2, 3))
    path = write(
        f"""\
version: 1
organization: circleci/{org}
defaults:
  "circleci/{org}/*":
    settings: {{oss: true}}
    checkout_keys: [deploy-key]
    schedules: {{}}
projects:
  circleci/{org}/{app}: {{}}
  circleci/{org}/{lib}: {{skip_defaults: [checkout_keys, schedules]}}
"""
    )
    problems = problems_of(path)
    assert where(problems) == [(5, 16), (6, 5), (7, 5)], problems
    assert problems[1].message.endswith(f"to skip_defaults of circleci/{org}/{app}")


def test_an_item_listed_twice_in_a_default_is_refused(write) -> None:
    path = write(
        HEAD
        + """\
defaults:
  "gh/acme/*": {checkout_keys: [deploy-key, deploy-key]}
projects:
  gh/acme/api: {skip_defaults: [webhooks, webhooks]}
"""
    )
    messages = [p.message for p in problems_of(path)]
    assert len(messages) == 2, messages
    assert messages[0].startswith("'deploy-key' is listed twice in 'checkout_keys'")
    assert messages[1].startswith("'webhooks' is listed twice in 'skip_defaults'")
