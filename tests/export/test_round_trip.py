"""Export a seeded organization with every kind, more objects than one page, and plan the
result against the same organization: nothing to change. With placeholders set to the live
values, the plan says which secrets it could not compare; adopted (the default), it needs
no environment at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.drift import drift_report
from reconciler.render.drift import FORMATS, render_drift
from tests.export.helpers import client, export_to, placeholder_values, plan
from tests.export.seed import API, HOOK_SECRET, ORG, SECRETS, TOKEN, WEB, seed

HOOKS = {(API, "slack"): HOOK_SECRET, (API, "pager"): "pager-PLANTED-6666", (API, "audit log"): ""}


@pytest.fixture
def exported(emulator_factory: Any, tmp_path: Path) -> tuple[Any, Any, str, Any]:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    api = client(emulator, TOKEN)
    text, manifest = export_to(api, ORG, [WEB, API], tmp_path / "acme.yaml", placeholders=True)
    return emulator, api, text, manifest


def test_round_trip_plans_no_change(exported: tuple[Any, Any, str, Any]) -> None:
    _, api, _, manifest = exported
    result = plan(manifest, api, placeholder_values(manifest, SECRETS, HOOKS))
    assert [(c.address, c.action, c.reason) for c in result.plan.changes] == []
    notes = "\n".join(f"{n['address']}: {n['note']}" for n in result.plan.to_dict()["object_notes"])
    # Secrets CircleCI never shows are named as not compared, one note each.
    for kind, owner, name in SECRETS:
        prefix = f"project[{owner}]" if kind == "project" else f"context[{owner}]"
        assert f"{prefix}.env_var[{name}]: value not compared" in notes
    for slug, name in HOOKS:
        assert f"project[{slug}].webhook[{name}]: value not compared" in notes


def test_drift_on_the_adopted_round_trip_is_clean_and_secret_free(
    emulator_factory: Any, tmp_path: Path
) -> None:
    api = client(emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2), TOKEN)
    _, manifest = export_to(api, ORG, [WEB, API], tmp_path / "acme.yaml")
    result = plan(manifest, api, {})
    report = drift_report(result)
    assert report["in_sync"], [o for o in report["objects"] if o["status"] != "ok"]
    assert report["summary"]["ok"] == len(report["objects"]) > 30
    for fmt in FORMATS:
        out = render_drift(report, fmt)
        assert "PLANTED" not in out and HOOK_SECRET not in out


def test_a_wrong_value_is_seen_where_circleci_shows_a_suffix(
    exported: tuple[Any, Any, str, Any],
) -> None:
    """The round trip is not vacuous: a placeholder set to another value shows as drift."""
    _, api, _, manifest = exported
    env = placeholder_values(manifest, SECRETS, HOOKS)
    ref = manifest.projects[API].env_vars["NPM_TOKEN"].env
    env[ref] = "something-else"
    result = plan(manifest, api, env)
    assert [(c.address, c.action) for c in result.plan.changes] == [
        (f"project[{API}].env_var[NPM_TOKEN]", "update")
    ]
