"""What the models mean: hands-off versus authoritative, defaults, partial settings, slugs."""

from __future__ import annotations

import uuid as uuid_module
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.emulator import util as emulator_util
from reconciler.manifest import (
    AttributionActor,
    CheckoutKeyType,
    Day,
    RestrictionKind,
    WebhookEvent,
    load_manifest,
    names,
)
from tests.manifest.support import HEAD, problems_of, where

FULL = Path(__file__).parents[2] / "examples" / "complete.yaml"


def test_absent_collections_are_hands_off_and_empty_ones_mean_none(write) -> None:
    m = load_manifest(
        [
            write(
                HEAD
                + "projects:\n  gh/acme/a: {}\n  gh/acme/b:\n    env_vars: {}\n    webhooks: {}\n"
            )
        ]
    )
    a, b = m.projects["gh/acme/a"], m.projects["gh/acme/b"]
    assert (a.env_vars, a.schedules, a.webhooks, a.checkout_keys, a.settings) == (None,) * 5
    assert (b.env_vars, b.webhooks, b.schedules) == ({}, {}, None)


def test_defaults_are_the_documented_ones(write) -> None:
    m = load_manifest([FULL])
    assert load_manifest([write(HEAD)]).policy.model_dump() == {
        "max_deletes": 10,
        "manage_contexts": [],
        "lint": {"suppress": []},
        "ignore": {"contexts": [], "env_vars": [], "webhooks": [], "schedules": []},
        "ledger": None,
    }
    api = m.projects["gh/acme/api"]
    monthly = (api.schedules or {})["monthly-report"]
    assert monthly.attribution_actor is AttributionActor.CURRENT
    assert monthly.protect is True and monthly.description is None
    assert (api.schedules or {})["nightly"].attribution_actor is AttributionActor.SYSTEM
    hook = (api.webhooks or {})["slack"]
    assert hook.verify_tls is True and hook.protect is True
    assert (
        m.contexts["ci-staging"].protect is False and m.contexts["ci-staging"].restrictions is None
    )
    staging = m.contexts["ci-staging"].env_vars or {}
    assert staging["AWS_ACCESS_KEY_ID"].env == "STAGING_AWS_ACCESS_KEY_ID"  # merged, then replaced
    assert (staging["AWS_SECRET_ACCESS_KEY"].version, staging["AWS_SECRET_ACCESS_KEY"].protect) == (
        3,
        True,
    )
    assert hook.events == [WebhookEvent.WORKFLOW_COMPLETED, WebhookEvent.JOB_COMPLETED]
    assert api.create is True and m.projects["gh/acme/web"].create is False
    assert api.checkout_keys == [CheckoutKeyType.DEPLOY_KEY]
    nightly = (api.schedules or {})["nightly"]
    assert nightly.timetable.days_of_week == [Day.MON, Day.TUE, Day.WED, Day.THU, Day.FRI]
    assert nightly.parameters == {"branch": "main", "run-nightly": True}


def test_settings_are_partial_only_written_keys_are_set(write) -> None:
    m = load_manifest(
        [
            write(
                HEAD
                + "projects:\n  gh/acme/api:\n"
                + "    settings: {build_fork_prs: false, disable_ssh: true}\n"
            )
        ]
    )
    settings = m.projects["gh/acme/api"].settings
    assert settings is not None
    assert settings.model_dump(exclude_unset=True) == {"build_fork_prs": False, "disable_ssh": True}


def test_restrictions_written_make_every_kind_authoritative(write) -> None:
    m = load_manifest(
        [write(HEAD + "contexts:\n  a:\n    restrictions: {expressions: [x == 1]}\n  b: {}\n")]
    )
    r = m.contexts["a"].restrictions
    assert r is not None and (r.projects, r.groups) == ([], [])
    assert r.items() == [(RestrictionKind.EXPRESSION, "x == 1")]
    assert m.contexts["b"].restrictions is None


def test_slugs_take_circleci_short_form(write) -> None:
    m = load_manifest(
        [
            write(
                "version: 1\norganization: github/Acme\n"
                "projects:\n  github/acme/api: {}\n  gh/acme/web: {}\n"
                "contexts:\n  a:\n    restrictions: {projects: [github/acme/api]}\n"
            )
        ]
    )
    assert m.organization == "gh/Acme"
    assert list(m.projects) == ["gh/acme/api", "gh/acme/web"]
    bb = load_manifest(
        [write("version: 1\norganization: bitbucket/acme\nprojects: {bitbucket/acme/x: {}}\n")]
    )
    assert (bb.organization, list(bb.projects)) == ("bb/acme", ["bb/acme/x"])
    assert (m.contexts["a"].restrictions or pytest.fail()).projects == ["gh/acme/api"]
    assert m.position("projects", "github/acme/api") == m.position("projects", "gh/acme/api")


def test_standalone_organizations_by_key_and_by_uuid(write) -> None:
    uuid = "68129642-b377-4bd1-a534-a94d01d2db25"
    key = "DrNsW5SW6K42zooKCzkVek"  # recorded: the org key CircleCI derives from that UUID
    assert names.base58_of_uuid(uuid) == key
    ok = f"projects:\n  circleci/{key}/TR2eS1FtBshdqkgqtiiaDa: {{}}\n"
    assert load_manifest([write(f"version: 1\norganization: circleci/{key}\n{ok}")])
    assert load_manifest([write(f"version: 1\norganization: {uuid.upper()}\n{ok}")])
    other = "projects:\n  circleci/TR2eS1FtBshdqkgqtiiaDa/TR2eS1FtBshdqkgqtiiaDa: {}\n"
    problems = problems_of(write(f"version: 1\norganization: {uuid}\n{other}"))
    assert where(problems) == [(4, 3)]
    assert "is not in organization" in problems[0].message


def test_position_of_any_path_falls_back_to_the_nearest_written_ancestor() -> None:
    m = load_manifest([FULL])
    assert str(m.position("projects", "gh/acme/api", "env_vars", "NPM_TOKEN")).endswith(":43:7")
    assert str(m.value_position("projects", "gh/acme/api", "env_vars", "NPM_TOKEN")).endswith(
        ":43:18"
    )
    assert m.position("projects", "gh/acme/api", "env_vars", "NOT_THERE") == m.position(
        "projects", "gh/acme/api", "env_vars"
    )
    assert m.position("contexts", "nope").file == str(FULL)
    assert m.position().line == 12  # the document itself


def test_policy_helpers_match_globs_case_sensitively() -> None:
    m = load_manifest([FULL])
    assert m.policy.manages_context("ci-old") and not m.policy.manages_context("CI-old")
    assert m.policy.ignore.ignores("env_vars", "TMP_X")
    assert not m.policy.ignore.ignores("contexts", "prod")
    assert m.ledger_path == FULL.parent.resolve() / ".circleci-reconciler-ledger.json"


def test_secret_refs_lists_every_value_with_its_path() -> None:
    m = load_manifest([FULL])
    refs = {path: var for path, var in m.secret_refs()}
    assert len(refs) == 15
    hook = refs[("projects", "gh/acme/api", "webhooks", "slack", "signing_secret")]
    assert (hook.kind, hook.ref) == ("env", "WEBHOOK_SECRET")
    dsn = refs[("projects", "gh/acme/api", "env_vars", "SENTRY_DSN")]
    assert (dsn.kind, dsn.ref, dsn.source_dir) == (
        "file",
        "secrets/sentry-dsn",
        FULL.parent.resolve(),
    )
    deploy = refs[("projects", "gh/acme/api", "env_vars", "DEPLOY_KEY")]
    assert (deploy.version, deploy.protect) == (2, False)
    legacy = refs[("projects", "gh/acme/api", "env_vars", "LEGACY_TOKEN")]
    assert legacy.protect is True
    banner = refs[("projects", "gh/acme/api", "env_vars", "BANNER")]
    assert banner.kind == "literal" and banner.ref is None


@pytest.mark.parametrize(
    "pattern, ok",
    [
        ("ci-*", True),
        ("[abc]-?", True),
        ("[!x]*", True),
        ("[]]", True),
        ("[abc", False),
        ("", False),
    ],
)
def test_globs(pattern: str, ok: bool) -> None:
    assert (names.glob_problem(pattern) is None) is ok


@pytest.mark.parametrize(
    "project, org, ok",
    [
        ("gh/acme/api", "gh/acme", True),
        ("gh/ACME/api", "gh/acme", True),  # GitHub names ignore case
        ("gh/acme-x/api", "gh/acme", False),
        ("bb/acme/api", "gh/acme", False),
        ("circleci/AbC/x", "circleci/abc", False),  # keys are case-sensitive
        ("gh/anything/api", "68129642-b377-4bd1-a534-a94d01d2db25", True),  # cannot be checked
    ],
)
def test_project_belongs_to_organization(project: str, org: str, ok: bool) -> None:
    assert names.same_org(project, org) is ok


LEADING_ZEROS = st.integers(1, 16).flatmap(
    lambda zeros: st.binary(min_size=16 - zeros, max_size=16 - zeros).map(
        lambda rest: uuid_module.UUID(bytes=b"\0" * zeros + rest)
    )
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(LEADING_ZEROS)
def test_base58_keys_keep_a_one_per_leading_zero_byte(value: uuid_module.UUID) -> None:
    # CircleCI's fakes (circleci-sdk-go internal/testing/fakecircle/org.go) use mr-tron/base58,
    # which writes a `1` for each leading zero byte; so does the emulator, independently.
    key = names.base58_of_uuid(str(value))
    assert key == emulator_util.uuid_key(str(value))
    raw = value.bytes
    assert key.startswith("1" * (len(raw) - len(raw.lstrip(b"\0"))))
    assert emulator_util.key_uuid(key) == str(value)


def test_a_standalone_org_whose_uuid_starts_with_a_zero_byte_is_accepted(write) -> None:
    org_id = "00d1c3a4-4b1e-4c55-9a39-3c2e7a7f3b11"
    key = emulator_util.uuid_key(org_id)
    assert key.startswith("1")
    project = f"circleci/{key}/TR2eS1FtBshdqkgqtiiaDa"
    text = f"version: 1\norganization: {org_id}\nprojects:\n  {project}: {{}}\n"
    assert load_manifest([write(text)])
