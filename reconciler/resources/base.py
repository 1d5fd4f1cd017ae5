"""What every resource kind provides, and the normalised Resource both sides share.

Desired state (from the manifest) and live state (from the API) are both lists of Resource, so
the diff engine never sees raw API JSON nor manifest models.
"""

from __future__ import annotations

import fnmatch
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from reconciler.resources.runtime import ApplyContext, FetchContext, PlanContext

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
    secret: Any = None
    # Live side: what the API lets us see of a secret (masked suffix, updated_at).
    signal: dict[str, Any] = field(default_factory=dict)
    # Live side: server-owned ids (id, fingerprint, context id...), never compared.
    ids: dict[str, Any] = field(default_factory=dict)
    protect: bool = False


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


@dataclass
class SecretVerdict:
    """Whether a write-only value differs. `changed` None means no honest signal exists."""

    changed: bool | None
    why: str


class Kind(ABC):
    """A resource kind: identity, normalisation of both sides, ordering hints, API calls."""

    name: ClassVar[str]
    parent_kind: ClassVar[str | None] = None
    # Field names compared without regard to order.
    set_fields: ClassVar[frozenset[str]] = frozenset()
    # Write-only (secret) fields: never displayed, compared only through secret_verdict().
    secret_fields: ClassVar[frozenset[str]] = frozenset()
    # Fields no update route can change: a change means replace.
    immutable_fields: ClassVar[frozenset[str]] = frozenset()
    # Sibling kinds (same parent) whose creates must finish before this kind is written.
    after_siblings: ClassVar[tuple[str, ...]] = ()
    # policy.ignore category whose globs filter this kind by name (None: not ignorable).
    ignore_category: ClassVar[str | None] = None
    # Whether deleting the parent deletes these too (then no separate delete is planned).
    deleted_with_parent: ClassVar[bool] = True
    # For replace: create the new object before deleting the old one (False when the API
    # forbids two objects with the same identity at once).
    replace_creates_first: ClassVar[bool] = True
    # Human label of the collection, for plan reasons ("env var", "schedule"...).
    label: ClassVar[str] = ""
    # Whether its objects count as managed for the mass-update guard (projects are never
    # changed, only looked up or created).
    managed: ClassVar[bool] = True

    # --- desired side -------------------------------------------------------------------
    @abstractmethod
    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        """Resources the manifest declares, and the collections it makes authoritative."""

    def requires(self, desired: Resource) -> list[str]:
        """Addresses outside the parent that must exist before this object is written
        (waited for only when they are created in the same run)."""
        return []

    # --- live side ----------------------------------------------------------------------
    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        """Whether the manifest's scope needs this kind read under `parent` (child kinds)."""
        return False

    @abstractmethod
    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        """Read live objects of this kind under one live parent (None for top-level kinds)
        with collection reads: one paginated list, never one request per object."""

    def fetch_units(self, ctx: FetchContext) -> list[Callable[[], list[Resource]]]:
        """Top-level kinds: independent reads the engine may run in parallel."""
        return [lambda: self.fetch(ctx, None)]

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """After every read: fill in what depends on other reads (names for ids)."""
        return resources

    def secret_verdict(self, desired: Resource, live: Resource, ctx: PlanContext) -> SecretVerdict:
        return SecretVerdict(None, "CircleCI never returns this value")

    # --- writes -------------------------------------------------------------------------
    @abstractmethod
    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        """Create the object; return its live form (with ids) for dependants."""

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        """Update in place; return the live form when the API answers with it."""
        raise NotImplementedError(f"{self.name} has no update route")

    @abstractmethod
    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        """Delete the object; an object already gone is not an error."""


def ignored(patterns: Iterable[str], name: str) -> bool:
    """Shell-style globs; a pattern also matches the name written exactly as it is, so a
    listed name with brackets (`ctx [1]`) means that name, not a character class alone."""
    return any(name == p or fnmatch.fnmatchcase(name, p) for p in patterns)
