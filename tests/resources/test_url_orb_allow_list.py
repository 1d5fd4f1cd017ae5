"""URL orb allow-list entries: keyed by name, any change a replace (the old entry deleted
first), a present list owning every entry, and an export that leaves the list alone rather
than write what the manifest would refuse."""

from __future__ import annotations

from pathlib import Path

from reconciler.core import Resource
from reconciler.resources import REGISTRY
from tests.resources.helpers import Export, changes, desired, load, plan_ctx

KIND = REGISTRY["url_orb_allow_list_entry"]
PREFIX = "https://raw.githubusercontent.com/acme/orbs/"


def _live(name: str, prefix: str = PREFIX, auth: str = "none") -> Resource:
    return KIND._resource(name, {"prefix": prefix, "auth": auth}, f"id-{name}")  # type: ignore[attr-defined,no-any-return]


def test_entries_by_name_with_auth_none_by_default(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        f"""\
        organization_settings:
          url_orb_allow_list:
            public: {{prefix: "{PREFIX}"}}
        """,
    )
    want, scopes = desired("url_orb_allow_list_entry", manifest)
    assert {a: r.fields for a, r in want.items()} == {
        "organization.url_orb_allow_list[public]": {"prefix": PREFIX, "auth": "none"}
    }
    assert [(s.parent, s.kind) for s in scopes] == [(None, "url_orb_allow_list_entry")]
    assert KIND.replace_creates_first is False
    have = [_live("public", auth="github-app"), _live("stale")]
    assert changes(list(want.values()), have, plan_ctx(manifest), scopes) == [
        ("replace", "organization.url_orb_allow_list[public]", ["auth"]),
        ("delete", "organization.url_orb_allow_list[stale]", []),
    ]


def test_an_absent_key_leaves_the_list_alone(tmp_path: Path) -> None:
    assert desired("url_orb_allow_list_entry", load(tmp_path, "")) == ({}, [])


def test_export_writes_every_entry_or_leaves_the_list_alone() -> None:
    out = Export("url_orb_allow_list_entry", None, [_live("b"), _live("a", auth="github-app")])
    assert out.text == (
        "url_orb_allow_list:\n"
        "  a:\n"
        "    auth: github-app\n"
        f"    prefix: {PREFIX}\n"
        "  b:\n"
        "    auth: none\n"
        f"    prefix: {PREFIX}\n"
    )
    assert Export("url_orb_allow_list_entry", None, []).text == "url_orb_allow_list: {}\n"
    odd = Export("url_orb_allow_list_entry", None, [_live("a"), _live("b", prefix="http://x/")])
    assert odd.result.value is None
    assert odd.result.notes == [
        "url_orb_allow_list left out, so left alone: prefix must be an https URL "
        "(https://host/path/)"
    ]
