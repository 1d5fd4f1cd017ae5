"""Context restrictions, identified by kind and name (project slug, expression, group name).
Where the groups list cannot be read (the groups API serves standalone organizations only),
group restrictions are identified by the id CircleCI stores, on both sides.

CircleCI stores a project or group restriction by id. The id is compared too: when a project
or group was deleted and made again under the same name, the restriction still points at the
old id and is replaced, the new one created before the old one is removed (there is no update
route, and a context must never be left unrestricted in between).
"""

from __future__ import annotations

import re

from reconciler.core import ApplyContext, FetchContext, PlanContext, Resource, Scope
from reconciler.errors import NotFound
from reconciler.resources.collection import CollectionKind
from reconciler.resources.names import canonical_slug, child_address, is_uuid, project_address

LISTS = (("project", "projects"), ("expression", "expressions"), ("group", "groups"))
_READABLE_ORG = re.compile(r"^(gh|bb)/[^/]+$")


def _resource(parent: str, rtype: str, shown: str, ref: object, **ids: object) -> Resource:
    name = f"{rtype}:{shown}"
    fields: dict[str, object] = {"type": rtype, "value": shown}
    if rtype != "expression":
        fields["ref"] = ref  # the id CircleCI holds (None: not known before apply)
    return Resource(
        kind="context_restriction",
        address=child_address(parent, "restriction", name),
        name=name,
        parent=parent,
        fields=fields,
        ids=dict(ids),
    )


def _id_case(value: str) -> str:
    """Ids compare in CircleCI's lower case, however the manifest writes them."""
    return value.lower() if is_uuid(value) else value


class ContextRestrictionKind(CollectionKind):
    name = "context_restriction"
    parent_kind = "context"
    collection = "restrictions"
    label = "restriction"
    immutable_fields = frozenset({"ref"})

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        f = ctx.fetch
        project_ids = f.project_ids if f is not None else {}
        groups = f.groups if f is not None else {}
        out = []
        for parent, r in self.declared(ctx):
            for rtype, attr in LISTS:
                for v in getattr(r, attr, None) or []:
                    if rtype == "project":
                        slug = canonical_slug(v)
                        out.append(_resource(parent, rtype, slug, project_ids.get(slug)))
                    elif rtype == "group":
                        # One group, however it is written: named by name, holding its id.
                        v = _id_case(str(v))
                        name = next((n for n, gid in groups.items() if gid == v), v)
                        out.append(_resource(parent, rtype, name, groups.get(name, v)))
                    else:
                        out.append(_resource(parent, rtype, str(v), str(v)))
        return out, self.scopes(ctx)

    def requires(self, desired: Resource) -> list[str]:
        if desired.fields["type"] == "project":  # a project created in this run needs its id
            return [project_address(desired.fields["value"])]
        return []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        out = []
        for r in ctx.api.list_context_restrictions(parent.ids["id"]):
            rtype, value = r["restriction_type"], r["restriction_value"]
            out.append(
                _resource(parent.address, rtype, value, value, id=r["id"], label=r.get("name"))
            )
        return out

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """Name ids: by what this run read (project slugs, group names), else by CircleCI's
        label (a project or group made again under the same name has a new id)."""
        known = {
            "project": {pid: slug for slug, pid in ctx.project_ids.items()},
            "group": {gid: name for name, gid in ctx.groups.items()},
        }
        named = [(r, self._known_name(r, known)) for r in resources]
        taken = {(r.parent, n) for r, n in named if n is not None}
        out = []
        for r, shown in named:
            if shown is None and r.fields["type"] == "group" and not ctx.groups_read:
                shown = r.fields["ref"]  # names unknown: the id CircleCI stores, as written
            if shown is None:
                shown = self._label_name(ctx, r)
                if shown is None or (r.parent, shown) in taken:
                    label = r.ids.get("label")
                    shown = f"{r.fields['ref']} ({label})" if label else r.fields["ref"]
                taken.add((r.parent, shown))
            out.append(
                _resource(r.parent or "", r.fields["type"], shown, r.fields.get("ref"), **r.ids)
            )
        return out

    @staticmethod
    def _known_name(r: Resource, known: dict[str, dict[str, str]]) -> str | None:
        rtype, ref = r.fields["type"], r.fields.get("ref")
        if rtype == "expression":
            return str(r.fields["value"])
        return known.get(rtype, {}).get(str(ref))

    @staticmethod
    def _label_name(ctx: FetchContext, r: Resource) -> str | None:
        label = r.ids.get("label")
        if not label:
            return None
        if r.fields["type"] == "group":
            return str(label)
        if _READABLE_ORG.match(ctx.org_slug or ""):  # gh/bb slugs are org slug + repo name
            return f"{ctx.org_slug}/{label}"
        return None

    def _value(self, ctx: ApplyContext, desired: Resource) -> str:
        rtype, value = desired.fields["type"], desired.fields["value"]
        if rtype == "project":
            pid = ctx.project_ids.get(value)
            if not pid:
                raise NotFound(f"project {value} (named in {desired.address}) has no id")
            return pid
        if rtype == "group":
            return str(ctx.groups.get(value, value))
        return str(value)

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        context_id = ctx.parent_ids(desired.parent)["id"]
        value = self._value(ctx, desired)
        r = ctx.api.create_context_restriction(context_id, desired.fields["type"], value)
        return _resource(
            desired.parent or "",
            desired.fields["type"],
            desired.fields["value"],
            value,
            id=r.get("id"),
        )

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_context_restriction(ctx.parent_ids(live.parent)["id"], live.ids["id"])
