"""Kinds that are a collection under a project or a context in the manifest: which parents
declare the collection (and so own it), and whether a parent's collection must be read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from reconciler.core import FetchContext, Kind, PlanContext, Resource, Scope
from reconciler.manifest import Context, Manifest, Project
from reconciler.resources.names import context_address, manifest_projects, project_address


def _owners(manifest: Manifest, parent_kind: str | None) -> dict[str, Project | Context]:
    """Parent address -> the manifest object that may declare the collection."""
    if parent_kind == "project":
        return {project_address(s): p for s, p in manifest_projects(manifest).items()}
    return {context_address(n): c for n, c in manifest.contexts.items()}


class CollectionKind(Kind):
    # The manifest key of the collection on its parent (env_vars, schedules, settings...).
    collection: ClassVar[str]
    # Whether declaring the collection makes it authoritative (settings are partial).
    authoritative: ClassVar[bool] = True
    # Whether standalone (circleci/) projects have it: where not, export neither reads nor
    # writes it.
    on_standalone: ClassVar[bool] = True

    def declared(self, ctx: PlanContext | FetchContext) -> Iterator[tuple[str, Any]]:
        """(parent address, collection) for every parent whose manifest entry has the key."""
        for parent, owner in sorted(_owners(ctx.manifest, self.parent_kind).items()):
            value = getattr(owner, self.collection, None)
            if value is not None:
                yield parent, value

    def scopes(self, ctx: PlanContext) -> list[Scope]:
        if not self.authoritative:
            return []
        return [Scope(parent, self.name) for parent, _ in self.declared(ctx)]

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        if ctx.read_all:
            return self.on_standalone or not parent.name.startswith("circleci/")
        # Asked once per live parent: the map is built once per read, or a large
        # organization costs parents x parents.
        owners = ctx.owners.get(self.parent_kind)
        if owners is None:
            owners = ctx.owners[self.parent_kind] = _owners(ctx.manifest, self.parent_kind)
        return getattr(owners.get(parent.address), self.collection, None) is not None
