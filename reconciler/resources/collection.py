"""Kinds that are a collection under a project or a context in the manifest: which parents
declare the collection (and so own it), and whether a parent's collection must be read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, TypeVar

from pydantic import BaseModel

from reconciler.core import FetchContext, Kind, PlanContext, Resource, Scope
from reconciler.manifest.section import Section
from reconciler.resources.names import context_address, manifest_projects, project_address

if TYPE_CHECKING:
    from reconciler.manifest import Manifest

T = TypeVar("T")


def _owners(manifest: Manifest, parent_kind: str | None) -> dict[str, BaseModel]:
    """Parent address -> the manifest object that may declare the collection."""
    if parent_kind == "project":
        return {project_address(s): p for s, p in manifest_projects(manifest).items()}
    return {context_address(n): c for n, c in manifest.contexts.items()}


class CollectionKind(Kind):
    # The manifest section of the collection on its parent (env_vars, schedules, settings...);
    # None: a collection no manifest writes.
    section: ClassVar[Section[object] | None] = None
    # Its key (the section's).
    collection: ClassVar[str]
    # Whether declaring the collection makes it authoritative (settings are partial).
    authoritative: ClassVar[bool] = True

    def declared(
        self, ctx: PlanContext | FetchContext, section: Section[T]
    ) -> Iterator[tuple[str, T]]:
        """(parent address, collection) for every parent whose manifest entry has the key."""
        for parent, owner in sorted(_owners(ctx.manifest, self.parent_kind).items()):
            value = section.of(owner)
            if value is not None:
                yield parent, value

    def scopes(self, ctx: PlanContext) -> list[Scope]:
        if not self.authoritative or self.section is None:
            return []
        return [Scope(parent, self.name) for parent, _ in self.declared(ctx, self.section)]

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        if ctx.read_all:
            on_standalone = self.section is None or self.section.not_on_standalone is None
            # Where standalone projects lack it, export neither reads nor writes it.
            return on_standalone or not parent.name.startswith("circleci/")
        # Asked once per live parent: the map is built once per read, or a large
        # organization costs parents x parents.
        owners = ctx.owners.get(self.parent_kind)
        if owners is None:
            owners = ctx.owners[self.parent_kind] = _owners(ctx.manifest, self.parent_kind)
        owner = owners.get(parent.address)
        return owner is not None and self.section is not None and self.section.of(owner) is not None
