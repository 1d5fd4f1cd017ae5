"""What kinds receive while planning, fetching and applying: shared lookups, no logic."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from reconciler.core.facts import Facts
from reconciler.core.resource import Resource

if TYPE_CHECKING:  # the kinds' seams, typed; none of these imports the core back at run time
    from reconciler.client.api import CircleCI
    from reconciler.ledger import Ledger
    from reconciler.manifest import Manifest, SecretResolver

T = TypeVar("T")


@dataclass
class PlanContext:
    """Read-only view for building the desired state and judging secrets."""

    manifest: Manifest
    resolver: SecretResolver | None = None  # None: secrets are not resolved (validate)
    ledger: Ledger | None = None
    fetch: FetchContext | None = None  # what the live read learnt (ids by name)
    # Write every secret whose value cannot be compared (--rewrite-secrets).
    rewrite_secrets: bool = False

    def facts(self, cls: type[T]) -> T:
        """What the live read learnt of `cls` (nothing without a read: validate)."""
        return self.fetch.facts(cls) if self.fetch is not None else cls()


@dataclass
class FetchContext:
    """Live reads: the API facade, what kinds learnt so far, and what the manifest's scope
    needs."""

    api: CircleCI
    manifest: Manifest
    org_id: str = ""
    org_slug: str = ""
    # What kinds learn and share (ids by name...), typed by the kind that defines each fact.
    store: Facts = field(default_factory=Facts)
    # plan and apply stop on a declared project that is missing; drift reports it instead.
    strict: bool = True
    # export: every child collection of the parents read is wanted, and a collection
    # CircleCI refuses (400, 403, 404) is recorded in `unreadable` instead of stopping.
    read_all: bool = False
    # (parent address or None, kind name or lookup) -> why CircleCI refused to show it. A
    # kind may record its own refused collection here in any mode (a feature the
    # organization does not have): plan and drift then say so in one note and go on.
    unreadable: dict[tuple[str | None, str], str] = field(default_factory=dict)
    # parent kind -> {parent address: manifest entry}, built once per read, not per parent.
    owners: dict[str | None, dict[str, Any]] = field(default_factory=dict)

    def facts(self, cls: type[T]) -> T:
        return self.store.get(cls)


@dataclass
class ApplyContext:
    """Writes: the API facade, secret resolver, what the read learnt and ids created during
    this run."""

    api: CircleCI
    manifest: Manifest
    resolver: SecretResolver
    org_id: str = ""
    store: Facts = field(default_factory=Facts)
    # address -> live resource, for parents created earlier in the run.
    live: dict[str, Resource] = field(default_factory=dict)
    ledger: Ledger | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def facts(self, cls: type[T]) -> T:
        return self.store.get(cls)

    def remember(self, resource: Resource) -> None:
        with self.lock:
            self.live[resource.address] = resource

    def parent_ids(self, address: str | None) -> dict[str, Any]:
        if address is None:
            return {}
        with self.lock:
            parent = self.live.get(address)
        return dict(parent.ids) if parent is not None else {}
