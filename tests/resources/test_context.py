"""Every context is exported but one whose name a manifest cannot hold (left unmanaged)."""

from __future__ import annotations

from pathlib import Path

from reconciler.core import PlanContext, Scope
from tests.resources.helpers import Export, changes, context, desired, load, read_live
from tests.support.emulator_fixture import MakeEmulator


def test_contexts_sorted_and_unnameable_ones_left_out_with_a_note() -> None:
    out = Export("context", None, [context("npm", "c1"), context(" padded ", "c2")]).result
    assert [key for key, _ in out.members] == ["npm"]
    assert len(out.notes) == 1 and out.notes[0].startswith("context ' padded ' left out:")


def test_an_organization_without_contexts_says_so() -> None:
    assert Export("context", None, []).result.before == ["The organization has none."]


# --- desired ------------------------------------------------------------------------------


def test_desired_contexts_and_the_scope_policy_gives(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        policy:
          manage_contexts: [ci-*]
        contexts:
          ci-prod: {protect: true}
          "odd [1]": {}
        """,
    )
    found, scopes = desired("context", manifest)
    assert list(found) == ["context[ci-prod]", "context[odd \\[1\\]]"]  # brackets escaped
    prod, odd = found.values()
    assert prod.protect and not odd.protect and odd.name == "odd [1]" and prod.fields == {}
    assert scopes == [
        Scope(
            None,
            "context",
            ("ci-*",),
            "not in the manifest and matches policy.manage_contexts ['ci-*']",
        )
    ]


def test_without_manage_contexts_no_context_is_owned(tmp_path: Path) -> None:
    found, scopes = desired("context", load(tmp_path, "contexts: {}\n"))
    assert found == {} and scopes == []


# --- normalise ----------------------------------------------------------------------------


def test_live_contexts_by_name_with_their_ids(
    tmp_path: Path, emulator_factory: MakeEmulator
) -> None:
    seed = {"organizations": {"gh/acme": {"contexts": {"ci-prod": {}, "sandbox": {}}}}}
    live = read_live(emulator_factory(seed=seed), load(tmp_path, "contexts: {}\n"), "context")
    assert sorted(live) == ["context[ci-prod]", "context[sandbox]"]
    prod = live["context[ci-prod]"]
    assert prod.name == "ci-prod" and prod.fields == {} and prod.ids["id"]


# --- compare ------------------------------------------------------------------------------


def test_diff_creates_declared_deletes_owned_and_leaves_others_alone(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        """
        policy:
          manage_contexts: [ci-*]
          ignore: {contexts: [ci-sandbox-*]}
        contexts:
          ci-prod: {}
          ci-new: {}
        """,
    )
    want, scopes = desired("context", manifest)
    have = [context(n, f"c-{n}") for n in ("ci-prod", "ci-old", "ci-sandbox-1", "personal")]
    assert changes(list(want.values()), have, PlanContext(manifest=manifest), scopes) == [
        ("create", "context[ci-new]", []),
        ("delete", "context[ci-old]", []),
    ]
