"""Checkout keys export as their types; a list that would delete a live key is left out."""

from __future__ import annotations

from reconciler.core import Resource
from tests.resources.helpers import Export, child, project

API = project("gh/acme/api", "p1")


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
