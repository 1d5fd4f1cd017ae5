"""Checkout keys export as their types; a list that would delete a live key is left out."""

from __future__ import annotations

from pathlib import Path

from reconciler.core import PlanContext, Resource, Scope
from reconciler.diff import compare
from reconciler.resources import REGISTRY
from tests.resources.helpers import (
    Export,
    changes,
    child,
    client,
    desired,
    load,
    project,
    read_live,
)
from tests.support.emulator_fixture import MakeEmulator

API = project("gh/acme/api", "p1")
KIND = REGISTRY["checkout_key"]


def _key(name: str, key_type: str) -> Resource:
    return child("checkout_key", API, "checkout_key", name, fields={"type": key_type})


def test_types_are_written_sorted() -> None:
    live = [_key("user-key", "user-key"), _key("deploy-key", "deploy-key")]
    assert Export("checkout_key", API, live).text == "checkout_keys: [deploy-key, user-key]\n"


def test_unknown_types_and_duplicates_are_left_out_with_the_reason() -> None:
    odd = Export("checkout_key", API, [_key("mystery", "mystery-key")])
    assert (
        odd.text == ""
        and "key types this tool does not know (['mystery-key'])" in odd.result.notes[0]
    )
    twice = [_key("deploy-key", "deploy-key"), _key("deploy-key:ab", "deploy-key")]
    out = Export("checkout_key", API, twice)
    assert out.text == "" and out.result.notes == [
        "checkout_keys: left out: deploy-key keys are live more than once, and listing the "
        "type would delete all but the preferred one"
    ]


# --- desired ------------------------------------------------------------------------------


def test_desired_types_in_one_order_and_scopes(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        projects:
          gh/acme/api:
            checkout_keys: [user-key, deploy-key]
          gh/acme/web: {}
          gh/acme/lib:
            checkout_keys: []
        """,
    )
    found, scopes = desired("checkout_key", manifest)
    assert list(found) == [
        f"{API.address}.checkout_key[deploy-key]",
        f"{API.address}.checkout_key[user-key]",
    ]
    assert [r.fields for r in found.values()] == [{"type": "deploy-key"}, {"type": "user-key"}]
    assert all(r.parent == API.address for r in found.values())
    assert scopes == [
        Scope("project[gh/acme/api]", "checkout_key"),
        Scope("project[gh/acme/lib]", "checkout_key"),
    ]


# --- normalise ----------------------------------------------------------------------------


def test_live_keys_by_type_the_preferred_one_plain_older_ones_by_fingerprint(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    seed = {
        "organizations": {
            "gh/acme": {"projects": {"gh/acme/api": {"checkout_keys": ["user-key", "deploy-key"]}}}
        }
    }
    emu = emulator_factory(seed=seed)
    newest = client(emu).create_checkout_key("gh/acme/api", "deploy-key")
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    checkout_keys: []\n")
    live = read_live(emu, manifest, "checkout_key")
    deploy = live[f"{API.address}.checkout_key[deploy-key]"]
    assert deploy.fields == {"type": "deploy-key"} and deploy.ids == {
        "fingerprint": newest["fingerprint"]
    }
    # CircleCI reads a user key back as `github-user-key`: the type it was created as.
    assert live[f"{API.address}.checkout_key[user-key]"].fields == {"type": "user-key"}
    (older,) = (r for r in live.values() if r.name.startswith("deploy-key:"))
    assert older.name == f"deploy-key:{older.ids['fingerprint']}" and older.fields == {
        "type": "deploy-key"
    }


# --- compare ------------------------------------------------------------------------------


def test_diff_creates_wanted_types_and_deletes_others_and_duplicates(tmp_path: Path) -> None:
    manifest = load(tmp_path, "projects:\n  gh/acme/api:\n    checkout_keys: [deploy-key]\n")
    want, scopes = desired("checkout_key", manifest)
    same = [_key("deploy-key", "deploy-key")]
    assert (
        compare(KIND, want[same[0].address], same[0], PlanContext(manifest=manifest)).changed == []
    )
    assert changes(list(want.values()), same, PlanContext(manifest=manifest), scopes) == []
    have = [_key("deploy-key:ab", "deploy-key"), _key("user-key", "user-key")]
    assert changes(list(want.values()), have, PlanContext(manifest=manifest), scopes) == [
        ("create", f"{API.address}.checkout_key[deploy-key]", []),
        ("delete", f"{API.address}.checkout_key[deploy-key:ab]", []),
        ("delete", f"{API.address}.checkout_key[user-key]", []),
    ]
