"""Context restrictions, identified by kind and value (project slug, expression, group name).
There is no update route; new restrictions are created before old ones are removed."""

from __future__ import annotations

from typing import Any

from reconciler.errors import NotFound
from reconciler.resources.base import Resource, Scope
from reconciler.resources.collection import CollectionKind
from reconciler.resources.names import canonical_slug, child_address, project_address
from reconciler.resources.runtime import ApplyContext, FetchContext, PlanContext

LISTS = (("project", "projects"), ("expression", "expressions"), ("group", "groups"))


def _resource(parent: str, rtype: str, shown: str, **ids: Any) -> Resource:
    name = f"{rtype}:{shown}"
    return Resource(
        kind="context_restriction",
        address=child_address(parent, "restriction", name),
        name=name,
        parent=parent,
        fields={"type": rtype, "value": shown},
        ids=dict(ids),
    )


class ContextRestrictionKind(CollectionKind):
    name = "context_restriction"
    parent_kind = "context"
    collection = "restrictions"
    label = "restriction"

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            _resource(parent, rtype, canonical_slug(v) if rtype == "project" else str(v))
            for parent, r in self.declared(ctx)
            for rtype, attr in LISTS
            for v in getattr(r, attr, None) or []
        ]
        return out, self.scopes(ctx)

    def requires(self, desired: Resource) -> list[str]:
        if desired.fields["type"] == "project":  # a project created in this run needs its id
            return [project_address(desired.fields["value"])]
        return []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        out = []
        for r in ctx.api.list_context_restrictions(parent.ids["id"]):
            rtype, value = r["restriction_type"], r["restriction_value"] or r.get("project_id")
            out.append(
                _resource(
                    parent.address, rtype, value, id=r["id"], api_value=value, label=r.get("name")
                )
            )
        return out

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """Show ids by name where the name is known (project slugs, group names)."""
        slugs = {pid: slug for slug, pid in ctx.project_ids.items()}
        # A group the manifest names by id keeps its id, so both spellings stay stable.
        by_id = {g for _, r in self.declared(ctx) for g in getattr(r, "groups", None) or []} & set(
            ctx.groups.values()
        )
        groups = {gid: name for name, gid in ctx.groups.items() if gid not in by_id}
        names = {"project": slugs, "group": groups}
        out = []
        for r in resources:
            rtype, value = r.fields["type"], r.ids["api_value"]
            shown = value if value in by_id else names.get(rtype, {}).get(value)
            if shown is None:  # an id we cannot name for sure: keep it, with CircleCI's label
                label = r.ids.get("label")
                shown = f"{value} ({label})" if label and rtype != "expression" else value
            out.append(_resource(r.parent or "", rtype, shown, **r.ids))
        return out

    def _value(self, ctx: ApplyContext, desired: Resource) -> str:
        rtype, value = desired.fields["type"], desired.fields["value"]
        if rtype == "project":
            pid = ctx.project_ids.get(value)
            if not pid:
                raise NotFound(f"project {value} (named in {desired.address}) has no id")
            return pid
        if rtype == "group":
            return ctx.groups.get(value, value)
        return str(value)

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        context_id = ctx.parent_ids(desired.parent)["id"]
        value = self._value(ctx, desired)
        r = ctx.api.create_context_restriction(context_id, desired.fields["type"], value)
        return _resource(
            desired.parent or "",
            desired.fields["type"],
            desired.fields["value"],
            id=r.get("id"),
            api_value=value,
        )

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_context_restriction(ctx.parent_ids(live.parent)["id"], live.ids["id"])
