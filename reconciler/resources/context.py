"""Contexts of the organization, identified by name. Live contexts not in the manifest are
deleted only when they match policy.manage_contexts; `protect` keeps one from any deletion."""

from __future__ import annotations

from reconciler.client.api import Json
from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    Kind,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.manifest.names import context_name_problem
from reconciler.manifest.section import Ignore
from reconciler.resources.names import context_address

IGNORED = Ignore("contexts", "Context names.", order=0)


class ContextKind(Kind):
    name = "context"
    label = "context"
    ignore = IGNORED
    collection = "contexts"

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            Resource(
                kind=self.name,
                address=context_address(name),
                name=name,
                protect=c.protect,
            )
            for name, c in sorted(ctx.manifest.contexts.items())
        ]
        globs = tuple(ctx.manifest.policy.manage_contexts or ())
        reason = f"not in the manifest and matches policy.manage_contexts {list(globs)}"
        return out, [Scope(None, self.name, globs, reason)] if globs else []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        return [self._live(c) for c in ctx.api.list_contexts(ctx.org_id)]

    def _live(self, c: Json) -> Resource:
        return Resource(
            kind=self.name, address=context_address(c["name"]), name=c["name"], ids={"id": c["id"]}
        )

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return self._live(ctx.api.create_context(ctx.org_id, desired.name))

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        # Deleting a context deletes its env vars and restrictions with it.
        ctx.api.delete_context(live.ids["id"], ctx.org_id)

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """Every context of the organization, but one whose name the manifest cannot hold:
        not managed unless listed, so leaving it out touches nothing."""
        out = Exported(before=[] if live else ["The organization has none."])
        for r in sorted(live, key=lambda r: r.name):
            why = context_name_problem(r.name)
            if why:
                out.notes.append(f"context {r.name!r} left out: {why}")
            else:
                out.members.append((r.name, r))
        return out
