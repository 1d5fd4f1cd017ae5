"""The Kind protocol: what every resource kind provides (identity, normalisation of both
sides, ordering hints, API calls). Kinds subclass it explicitly to inherit the defaults."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from reconciler.core.resource import Resource, Scope, SecretVerdict
from reconciler.errors import ReconcilerError

if TYPE_CHECKING:
    from reconciler.core.change import Change
    from reconciler.core.context import ApplyContext, FetchContext, PlanContext
    from reconciler.core.export import ExportContext, Exported
    from reconciler.manifest.section import Ignore, Section


@runtime_checkable
class Kind(Protocol):
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
    # Kinds whose creates anywhere under this object's parent must succeed before this kind
    # deletes there: a replacement of another kind (a schedule trigger taking over from a
    # legacy schedule) exists before what it replaces goes, and a failed create keeps it.
    deletes_after: ClassVar[tuple[str, ...]] = ()
    # policy.ignore category whose globs filter this kind by name (None: not ignorable);
    # `ignore`'s key unless set.
    ignore_category: ClassVar[str | None] = None
    # The policy.ignore key it declares (its key is ignore_category); the manifest's
    # policy.ignore is composed from the registry's.
    ignore: ClassVar[Ignore | None] = None
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
    # The manifest key its objects are written under: a section (`projects`) for top-level
    # kinds, a collection on the parent (`env_vars`) otherwise; `section`'s key unless set.
    # None: not in a manifest.
    collection: ClassVar[str | None] = None
    # The manifest section a child kind owns on its parent (its key is `collection`); the
    # manifest model is composed from the registry's sections.
    section: ClassVar[Section[object] | None] = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        # A kind's collection key is its section's key, and its ignore category its Ignore's
        # key, unless it says otherwise: declared once, never twice in two spellings.
        super().__init_subclass__(**kwargs)
        if cls.section is not None and "collection" not in cls.__dict__:
            cls.collection = cls.section.key
        if cls.ignore is not None and "ignore_category" not in cls.__dict__:
            cls.ignore_category = cls.ignore.key

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

    def lookups(self, ctx: FetchContext) -> list[Callable[[], None]]:
        """Reads this kind needs besides its own objects (the token's user, the groups),
        run in the first round beside the top-level reads; each one fills a fact
        (ctx.facts) that settle, desired, export or the writes read later."""
        return []

    def fetch_units(self, ctx: FetchContext) -> list[Callable[[], list[Resource]]]:
        """Top-level kinds: independent reads the engine may run in parallel."""
        return [lambda: self.fetch(ctx, None)]

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """After every read: fill in what depends on other reads (names for ids)."""
        return resources

    def secret_verdict(self, desired: Resource, live: Resource, ctx: PlanContext) -> SecretVerdict:
        return SecretVerdict(None, "CircleCI never returns this value")

    def must_replace(self, desired: Resource, live: Resource, changed: list[str]) -> bool:
        """Whether no update can make `live` equal `desired` (then the object is replaced)."""
        return bool(set(changed) & self.immutable_fields)

    def update_loses(self, desired: Resource, live: Resource, changed: list[str]) -> str | None:
        """What an update in place would drop that the manifest leaves alone (plan and apply
        then refuse the update; drift says so)."""
        return None

    # --- export -------------------------------------------------------------------------
    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """The manifest text of `live`, this kind's objects under `parent` (every one of them
        for a top-level kind, parent None). An object that cannot be written back faithfully
        is named in ctx.hands_off, never silently dropped (apply would delete it)."""
        raise ReconcilerError(f"{self.name} objects cannot be exported: the kind has no export")

    # --- writes -------------------------------------------------------------------------
    def before_writes(self, ctx: ApplyContext, changes: list[Change]) -> None:
        """Called once by apply, before the first write of the run, with every change of this
        kind the run will make (after --target selection). A kind whose API writes the whole
        collection at once (one upload replaces every object) records them here, so its first
        create, update or delete writes them all in one request and the others find it done."""
        return None

    @abstractmethod
    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        """Create the object; return its live form (with ids) for dependants."""

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        """Update in place; return the live form when the API answers with it."""
        # Not abstract: most kinds have an update route, the others never plan an update.
        raise ReconcilerError(f"{self.name} has no update route")

    @abstractmethod
    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        """Delete the object; an object already gone is not an error."""
