"""Every context is exported but one whose name a manifest cannot hold (left unmanaged)."""

from __future__ import annotations

from tests.resources.helpers import Export, context


def test_contexts_sorted_and_unnameable_ones_left_out_with_a_note() -> None:
    out = Export("context", None, [context("npm", "c1"), context(" padded ", "c2")]).result
    assert [key for key, _ in out.members] == ["npm"]
    assert len(out.notes) == 1 and out.notes[0].startswith("context ' padded ' left out:")


def test_an_organization_without_contexts_says_so() -> None:
    assert Export("context", None, []).result.before == ["The organization has none."]
