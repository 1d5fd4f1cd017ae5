"""What kinds receive while planning, fetching and applying: shared lookups, no logic."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reconciler.core.resource import Resource

if TYPE_CHECKING:  # the kinds' seams, typed; none of these imports the core back at run time
    from reconciler.client.api import CircleCI
    from reconciler.ledger import Ledger
    from reconciler.manifest import Manifest, SecretResolver


@dataclass
class PlanContext:
    """Read-only view for building the desired state and judging secrets."""

    manifest: Manifest
    resolver: SecretResolver | None = None  # None: secrets are not resolved (validate)
    ledger: Ledger | None = None
    fetch: FetchContext | None = None  # what the live read learnt (ids by name)
    # Write every secret whose value cannot be compared (--rewrite-secrets).
    rewrite_secrets: bool = False


@dataclass
class FetchContext:
    """Live reads: the API facade, ids learnt so far, and what the manifest's scope needs."""

    api: CircleCI
    manifest: Manifest
    org_id: str = ""
    org_slug: str = ""
    user_id: str = ""  # the token's user, to tell `current` schedule attribution apart
    # project slug -> project id, for restrictions and webhooks (filled by the project kind).
    project_ids: dict[str, str] = field(default_factory=dict)
    # group name -> id, for group restrictions.
    groups: dict[str, str] = field(default_factory=dict)
    # Whether the groups list was read: only then are group restrictions shown by name.
    groups_read: bool = False
    # Lower-cased slugs of the projects the token's user follows (None: not read).
    followed: set[str] | None = None
    # plan and apply stop on a declared project that is missing; drift reports it instead.
    strict: bool = True
    # export: every child collection of the parents read is wanted, and a collection
    # CircleCI refuses (400, 403, 404) is recorded in `unreadable` instead of stopping.
    read_all: bool = False
    # (parent address or None, kind name or lookup) -> why CircleCI refused to show it.
    unreadable: dict[tuple[str | None, str], str] = field(default_factory=dict)
    # parent kind -> {parent address: manifest entry}, built once per read, not per parent.
    owners: dict[str | None, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ApplyContext:
    """Writes: the API facade, secret resolver, and ids created during this run."""

    api: CircleCI
    manifest: Manifest
    resolver: SecretResolver
    org_id: str = ""
    user_id: str = ""
    project_ids: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    # address -> live resource, for parents created earlier in the run.
    live: dict[str, Resource] = field(default_factory=dict)
    ledger: Ledger | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, resource: Resource) -> None:
        with self.lock:
            self.live[resource.address] = resource

    def parent_ids(self, address: str | None) -> dict[str, Any]:
        if address is None:
            return {}
        with self.lock:
            parent = self.live.get(address)
        return dict(parent.ids) if parent is not None else {}
