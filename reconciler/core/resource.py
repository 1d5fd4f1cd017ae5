"""What every resource kind provides, and the normalised Resource both sides share.

Desired state (from the manifest) and live state (from the API) are both lists of Resource, so
the diff engine never sees raw API JSON nor manifest models.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from reconciler.manifest import EnvVar

Action = Literal["create", "update", "delete", "replace"]
SENSITIVE = "(sensitive)"


@dataclass
class Resource:
    """One object, normalised. `fields` are compared; everything else is bookkeeping."""

    kind: str
    address: str
    name: str
    parent: str | None = None
    # Comparable, JSON-plain, normalised fields. On the desired side only managed keys appear.
    fields: dict[str, Any] = field(default_factory=dict)
    # Desired side: the secret reference for write-only values (resolved lazily).
    secret: EnvVar | None = None
    # Live side: what the API lets us see of a secret (masked suffix, updated_at).
    signal: dict[str, Any] = field(default_factory=dict)
    # Live side: server-owned ids (id, fingerprint, context id...), never compared.
    ids: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    # Desired side: must exist, its value managed elsewhere: never written nor compared.
    adopted: bool = False


@dataclass(frozen=True)
class Scope:
    """An authoritative collection: live objects of `kind` under `parent` whose name matches
    one of `names` (globs) and that the manifest does not declare are planned for deletion.
    Collections without a scope are hands-off."""

    parent: str | None
    kind: str
    names: tuple[str, ...] = ("*",)
    # Why an unlisted object of this collection is deleted, for the plan's reason line.
    reason: str = ""

    def owns(self, resource: Resource) -> bool:
        return (
            self.kind == resource.kind
            and self.parent == resource.parent
            and ignored(self.names, resource.name)
        )


def owner(scopes: Iterable[Scope], resource: Resource) -> Scope | None:
    """The authoritative collection a live object belongs to, if any."""
    return next((s for s in scopes if s.owns(resource)), None)


def owner_index(scopes: Iterable[Scope]) -> Callable[[Resource], Scope | None]:
    """owner() for many objects: scopes grouped by (kind, parent) once, so looking up every
    live object of a large organization is not objects x scopes."""
    by_collection: dict[tuple[str, str | None], list[Scope]] = {}
    for scope in scopes:
        by_collection.setdefault((scope.kind, scope.parent), []).append(scope)
    return lambda resource: owner(by_collection.get((resource.kind, resource.parent), ()), resource)


class Reason(str, Enum):
    """Why a change is planned, or why an object carries a note instead. Decisions and the
    grouping of notes use these; `why` texts and notes are for people."""

    ABSENT = "absent"  # create: declared in the manifest, absent in CircleCI
    FIELDS_DIFFER = "fields_differ"  # update: compared fields differ
    SECRET_DIFFERS = "secret_differs"  # update: the value certainly differs from its source
    SECRET_UNRECORDED = "secret_unrecorded"  # update: written once so the ledger can compare
    VERSION_BUMPED = "version_bumped"  # update: the manifest asks for a rewrite
    CHANGED_BY_HAND = "changed_by_hand"  # update: CircleCI saw a later write than ours
    REWRITE_REQUESTED = "rewrite_requested"  # update: --rewrite-secrets, value not comparable
    NO_UPDATE_ROUTE = "no_update_route"  # replace: a field no update can change
    PARENT_REPLACED = "parent_replaced"  # replace: made again on its parent's new object
    NOT_DECLARED = "not_declared"  # delete: absent from a collection the manifest owns
    NOT_COMPARED = "not_compared"  # note: no honest signal tells whether the value differs
    IGNORED = "ignored"  # note: declared, but policy.ignore keeps it out of the plan


@dataclass
class SecretVerdict:
    """Whether a write-only value differs. `changed` None means no honest signal exists;
    `cause` says why a write is planned when it is True."""

    changed: bool | None
    why: str
    cause: Reason = Reason.SECRET_DIFFERS


def ignored(patterns: Iterable[str], name: str) -> bool:
    """Shell-style globs; a pattern also matches the name written exactly as it is, so a
    listed name with brackets (`ctx [1]`) means that name, not a character class alone."""
    return any(name == p or fnmatch.fnmatchcase(name, p) for p in patterns)
