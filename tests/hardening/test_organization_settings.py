"""Hostile and broken answers on the organization's settings routes, for a manifest that
manages them: plan and apply stop with a clear error, no traceback, and write nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Cli, seed, write_manifest, writes

MANIFEST = {
    "version": 1,
    "organization": "gh/acme",
    "organization_settings": {
        "oidc_claims": {"ttl": "1h"},
        "url_orb_allow_list": {"orbs": {"prefix": "https://github.com/acme/orbs/"}},
    },
    "projects": {"gh/acme/api": {"oidc_claims": {"audience": ["sts.amazonaws.com"]}}},
}
CLAIMS = "/api/v2/org/*"
ORBS = "/api/v2/organization/*/url-orb-allow-list*"

CASES = [
    ("truncated-json", CLAIMS, "unexpected shape (no org_id)"),
    ("html=200", CLAIMS, "unexpected shape (no org_id)"),
    ("missing-fields", CLAIMS, "unexpected shape (no org_id)"),
    ("status=403", CLAIMS, "CircleCI refused to show the OIDC custom claims"),
    ("status=400", CLAIMS, "CircleCI refused to show the OIDC custom claims"),
    ("status=404", CLAIMS, "CircleCI refused to show the OIDC custom claims"),
    ("truncated-json", ORBS, "not a paged list"),
    ("missing-fields", ORBS, "nothing was planned or changed"),
    ("wrong-types", ORBS, "nothing was planned or changed"),
    ("status=403", ORBS, "CircleCI refused to show the URL orb allow-list"),
    ("status=404", ORBS, "CircleCI refused to show the URL orb allow-list"),
]


@pytest.mark.parametrize(("mode", "route", "expected"), CASES)
def test_plan_and_apply_stop_cleanly_and_write_nothing(
    emulator_factory: Any, tmp_path: Path, mode: str, route: str, expected: str
) -> None:
    data = seed()  # something live in each list, for the faults to break
    data["organizations"]["gh/acme"]["url_orb_allow_list"] = {
        "old": {"prefix": "https://orbs.example.com/"}
    }
    world = emulator_factory(seed=data, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    path = write_manifest(tmp_path, MANIFEST)
    world.fault(f"{mode},route={route},method=GET")
    for args in (("plan", path), ("apply", path, "--auto-approve")):
        world.reset_requests()
        run = cli(*args)
        assert run.exit_code == 1, run.stdout
        assert "Traceback" not in run.stdout + run.stderr
        assert run.stderr.startswith("Error: ") and expected in run.stderr, run.stderr
        assert len(run.stderr) < 600
        assert writes(world.requests()) == []
    cli.assert_no_secrets()


def test_a_secret_quoted_from_a_policy_file_is_starred(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """A Rego file that happens to hold a secret the manifest reads from the environment,
    quoted back (in every encoding) by CircleCI's refusal of the bundle: the secret is starred
    out of the error, though the upload did not send it as a secret."""
    from tests.e2e.harness import SECRETS
    from tests.hardening.echo import hits

    name, value = next((k, v) for k, v in SECRETS.items() if len(v) >= 8)
    world = emulator_factory(seed=seed(), tokens=(), page_size=2)
    cli = Cli(host=world.url)
    (tmp_path / "policies").mkdir()
    rego = f'package org\n\npolicy_name["p"]\n\n# {value}\n'
    (tmp_path / "policies" / "p.rego").write_text(rego, encoding="utf-8")
    data = {
        "version": 1,
        "organization": "gh/acme",
        "projects": {"gh/acme/api": {"env_vars": {"X": {"env": name}}}},
        "organization_settings": {"config_policies": {"directory": "policies"}},
    }
    path = write_manifest(tmp_path, data)
    world.fault("echo,route=/api/v2/owner/*,method=POST")
    for args in (("plan", path), ("-vv", "apply", path, "--auto-approve")):
        run = cli(*args)
        assert run.exit_code == 1 and "CircleCI refuses the policy bundle" in run.stderr
        assert hits(run.stdout + run.stderr, [value]) == [], run.stderr
    cli.assert_no_secrets()


POLICY_BUNDLE = "/api/v2/owner/*/context/config/policy-bundle*"
BROKEN = ["html=200", "truncated-json", "missing-fields", "wrong-types"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("mode", BROKEN)
def test_a_broken_policy_bundle_answer_is_never_an_empty_bundle(
    emulator_factory: Any, tmp_path: Path, mode: str, method: str
) -> None:
    """The upload replaces the whole bundle: a live policy missed in a broken answer would
    be deleted without being planned, and a broken dry run would hide a change."""
    data = seed()
    rego = 'package org\n\npolicy_name["{}"]\n'
    data["organizations"]["gh/acme"]["config_policies"] = {
        "policies": {"kept": rego.format("kept"), "changed": rego.format("changed")}
    }
    world = emulator_factory(seed=data, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    (tmp_path / "policies").mkdir()
    for name, extra in (("kept", ""), ("changed", "x := 1\n"), ("new", "")):
        text = rego.format(name) + extra
        (tmp_path / "policies" / f"{name}.rego").write_text(text, encoding="utf-8")
    manifest = {
        "version": 1,
        "organization": "gh/acme",
        "organization_settings": {"config_policies": {"directory": "policies"}},
    }
    path = write_manifest(tmp_path, manifest)
    world.fault(f"{mode},route={POLICY_BUNDLE},method={method}")
    for args in (("plan", path), ("apply", path, "--auto-approve")):
        world.reset_requests()
        run = cli(*args)
        assert run.exit_code == 1, run.stdout
        assert "Traceback" not in run.stdout + run.stderr
        assert "unexpected shape" in run.stderr or "not a JSON object" in run.stderr, run.stderr
        assert [r for r in writes(world.requests()) if "dry=true" not in r["query"]] == []


@pytest.mark.parametrize("mode", BROKEN)
def test_broken_decision_settings_are_not_read_as_off(
    emulator_factory: Any, tmp_path: Path, mode: str
) -> None:
    world = emulator_factory(seed=seed(), tokens=(), page_size=2)
    cli = Cli(host=world.url)
    manifest = {
        "version": 1,
        "organization": "gh/acme",
        "organization_settings": {"config_policies": {"enabled": False}},
    }
    path = write_manifest(tmp_path, manifest)
    world.fault(f"{mode},route=/api/v2/owner/*/decision/settings,method=GET")
    for args in (("plan", path), ("apply", path, "--auto-approve")):
        world.reset_requests()
        run = cli(*args)
        assert run.exit_code == 1, run.stdout
        assert "unexpected shape" in run.stderr, run.stderr
        assert writes(world.requests()) == []
