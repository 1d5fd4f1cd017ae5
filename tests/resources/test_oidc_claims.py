"""OIDC claims: one object per claim, the TTL compared as a duration in any spelling, the
audience as a set, a claim left out of a present key deleted, and an export that leaves the
claims alone rather than write what the manifest would refuse."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reconciler.resources import REGISTRY
from reconciler.resources.oidc_claims import canonical, duration_ms
from tests.resources.helpers import Export, changes, desired, load, plan_ctx, project

API = project("gh/acme/api", "p1")
ORG = REGISTRY["oidc_claim"]
PROJECT = REGISTRY["project_oidc_claim"]


def _org_live(**answer: Any) -> list[Any]:
    return ORG._live(None, {"org_id": "o1", **answer})  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("spelling", "same"),
    [
        ("1h0m0s", "1h"),
        ("90m", "1h30m"),
        ("1h30m0s", "1h30m"),
        ("5400s", "1h30m"),
        ("1m30.5s", "1m30s500ms"),
        ("1500ms", "1s500ms"),
        ("1h0m0.0005s", None),  # not a whole millisecond
    ],
)
def test_durations_in_go_and_spec_spellings_have_one_canonical_form(
    spelling: str, same: str | None
) -> None:
    ms = duration_ms(spelling)
    assert ms is not None
    assert canonical(ms) == same


@pytest.mark.parametrize("bad", ["", "1d", "1 h", "h", "1h-", "-1h", 12])
def test_what_is_not_a_go_duration_is_none(bad: object) -> None:
    assert duration_ms(bad) is None


def test_desired_claims_one_object_each_and_the_key_owns_both(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """\
        organization_settings:
          oidc_claims: {audience: [b, a, b2], ttl: 90m}
        projects:
          gh/acme/api:
            oidc_claims: {}
          gh/acme/web: {}
        """,
    )
    org, org_scopes = desired("oidc_claim", manifest)
    assert {a: r.fields for a, r in org.items()} == {
        "organization.oidc_claim[audience]": {"audience": ["a", "b", "b2"]},
        "organization.oidc_claim[ttl]": {"ttl": "1h30m"},
    }
    assert [(s.parent, s.kind) for s in org_scopes] == [(None, "oidc_claim")]
    project_claims, scopes = desired("project_oidc_claim", manifest)
    assert project_claims == {}
    assert [s.parent for s in scopes] == ["project[gh/acme/api]"]  # web's are left alone


def test_order_and_spelling_never_show_as_a_change_and_a_left_out_claim_is_deleted(
    tmp_path: Path,
) -> None:
    manifest = load(tmp_path, "organization_settings:\n  oidc_claims: {audience: [a, b]}\n")
    want, scopes = desired("oidc_claim", manifest)
    have = _org_live(audience=["b", "a"], ttl="1h0m0s", ttl_updated_at="2026-01-01T00:00:00Z")
    assert changes(list(want.values()), have, plan_ctx(manifest), scopes) == [
        ("delete", "organization.oidc_claim[ttl]", [])
    ]


def test_a_claim_only_timestamped_is_not_set() -> None:
    """CircleCI keeps `*_updated_at` after a claim is deleted: no object without a value."""
    assert _org_live(audience_updated_at="t", ttl_updated_at="t") == []


def test_export_writes_the_claims_set_and_a_project_without_any_is_left_out() -> None:
    out = Export("oidc_claim", None, _org_live(audience=["aud-2", "aud-1"], ttl="30m0s"))
    assert out.text == "oidc_claims:\n  audience: [aud-1, aud-2]\n  ttl: 30m\n"
    assert Export("oidc_claim", None, []).text == "oidc_claims: {}\n"
    assert Export("project_oidc_claim", API, []).result.value is None


def test_export_leaves_alone_claims_the_manifest_would_refuse() -> None:
    """A present key would delete the claim left out: the whole key is left out instead."""
    out = Export("project_oidc_claim", API, PROJECT._live(API.address, {"ttl": "48h0m0s"}))  # type: ignore[attr-defined]
    assert out.result.value is None
    assert out.result.notes == [
        "oidc_claims of gh/acme/api left out, so left alone: ttl must be between 1m and 24h"
    ]
    assert canonical(Decimal(0)) is None
