"""Addresses and slug spellings shared by the kinds (the API answers with short vcs forms)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

Json = dict[str, Any]

if TYPE_CHECKING:
    from reconciler.manifest import Manifest, Project

_SHORT = {"github": "gh", "bitbucket": "bb"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def is_uuid(value: object) -> bool:
    return bool(_UUID.match(str(value)))


def canonical_slug(slug: str) -> str:
    """`github/acme/api` and `gh/acme/api` name the same project; use the API's short form."""
    head, _, rest = slug.partition("/")
    return f"{_SHORT.get(head, head)}/{rest}" if rest else _SHORT.get(head, head)


def project_address(slug: str) -> str:
    return f"project[{canonical_slug(slug)}]"


def escape(name: str) -> str:
    """Brackets in a name are escaped, so no name can make two objects share an address."""
    return name.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def context_address(name: str) -> str:
    return f"context[{escape(name)}]"


def child_address(parent: str, segment: str, name: str | None = None) -> str:
    return f"{parent}.{segment}" if name is None else f"{parent}.{segment}[{escape(name)}]"


def first_keeps_name(items: list[Json], name: str, key: str) -> Iterator[tuple[str, Json]]:
    """(name, item) for live objects whose names CircleCI does not keep unique, in the order
    given: the first of a name keeps it, any other is addressed `name:<key>`, so a collection
    the manifest owns deletes it and drift shows it."""
    seen: set[object] = set()
    for item in items:
        own = item[name]  # missing: a KeyError, which the engine reports as a broken answer
        yield (str(own) if own not in seen else f"{own}:{item.get(key)}"), item
        seen.add(own)


def manifest_projects(manifest: Manifest) -> dict[str, Project]:
    """The manifest's projects keyed by canonical slug."""
    return {canonical_slug(slug): p for slug, p in manifest.projects.items()}


def slug_of(address: str | None) -> str:
    """`project[gh/acme/api]...` -> `gh/acme/api`."""
    if not address or not address.startswith("project["):
        return ""
    return address[len("project[") : address.index("]")]
