"""No report can show a secret: sensitive fields say (sensitive) in every format, even when
a value slipped into the report by mistake."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.core import SENSITIVE
from reconciler.drift import secret_fields
from reconciler.render.drift import FORMATS
from reconciler.render.drift import render_drift as render_report
from tests.render.drift.sample import full_report

PLANTED = "PLANTED-s3cr3t-9f8e7d6c"
LEAKY = [
    ("project[gh/acme/api].env_var[NPM_TOKEN]", "project_env_var", "value"),
    ("context[aws-prod].env_var[KEY]", "context_env_var", "value"),
    ("project[gh/acme/api].webhook[slack]", "webhook", "signing_secret"),
]


def render_drift(report: dict[str, Any], fmt: str, color: bool = False) -> str:
    """As the drift command renders: with the kinds' secret fields to mask."""
    return render_report(report, fmt, color=color, secret_fields=secret_fields())


def _leaky_report() -> dict[str, Any]:
    """Secret fields carrying a planted value, as if an upstream masking step failed."""
    report = full_report()
    for address, kind, field in LEAKY:
        report["objects"].append(
            {
                "address": address + "x",
                "kind": kind,
                "status": "changed",
                "detail": "differs",
                "fields": [{"field": field, "manifest": PLANTED, "live": PLANTED[::-1]}],
            }
        )
    return report


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("color", [False, True])
def test_planted_values_in_secret_fields_never_show(fmt: str, color: bool) -> None:
    report = _leaky_report()
    assert PLANTED in json.dumps(report)
    out = render_drift(report, fmt, color=color)
    assert PLANTED not in out and PLANTED[::-1] not in out
    assert "PLANTED" not in out.upper() and "C6D7E8F9" not in out.upper()


@pytest.mark.parametrize("fmt", FORMATS)
def test_sensitive_shows_for_every_sensitive_field(fmt: str) -> None:
    report = _leaky_report()
    out = render_drift(report, fmt)
    n = sum(
        1
        for o in report["objects"]
        for f in o.get("fields") or []
        if f["field"] in ("value", "signing_secret")
    )
    assert n == 5
    # Each sensitive row shows (sensitive) on both sides.
    assert out.count(SENSITIVE) >= 2 * n


def test_json_masks_both_sides() -> None:
    doc = json.loads(render_drift(_leaky_report(), "json"))
    rows = [f for o in doc["objects"] for f in o.get("fields") or [] if f["field"] == "value"]
    assert rows and all(f["manifest"] == f["live"] == SENSITIVE for f in rows)
