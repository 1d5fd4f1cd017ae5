"""Checkout keys, identified by type. CircleCI has no update route; extra keys of a wanted
type (older duplicates) are addressed by fingerprint so an authoritative list removes them."""

from __future__ import annotations

from reconciler.resources.base import Kind, Resource, Scope
from reconciler.resources.names import child_address, manifest_projects, project_address, slug_of
from reconciler.resources.runtime import ApplyContext, FetchContext, PlanContext


class CheckoutKeyKind(Kind):
    name = "checkout_key"
    parent_kind = "project"
    label = "checkout key"

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out, scopes = [], []
        for slug, project in manifest_projects(ctx.manifest).items():
            keys = getattr(project, "checkout_keys", None)
            if keys is None:
                continue
            parent = project_address(slug)
            scopes.append(Scope(parent, self.name))
            for key_type in sorted({str(getattr(k, "value", k)) for k in keys}):
                out.append(
                    Resource(
                        kind=self.name,
                        address=child_address(parent, "checkout_key", key_type),
                        name=key_type,
                        parent=parent,
                        fields={"type": key_type},
                    )
                )
        return out, scopes

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        project = manifest_projects(ctx.manifest).get(parent.name)
        return getattr(project, "checkout_keys", None) is not None

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        keys = ctx.api.list_checkout_keys(parent.name)
        # The preferred (else newest) key of each type carries the plain address.
        keys.sort(key=lambda k: (not k.get("preferred"), str(k.get("created_at") or "")))
        out, seen = [], set()
        for key in keys:
            key_type = key["type"]
            name = key_type if key_type not in seen else f"{key_type}:{key['fingerprint']}"
            seen.add(key_type)
            out.append(self._live(parent.address, name, key))
        return out

    def _live(self, parent: str, name: str, key: dict) -> Resource:
        return Resource(
            kind=self.name,
            address=child_address(parent, "checkout_key", name),
            name=name,
            parent=parent,
            fields={"type": key["type"]},
            ids={"fingerprint": key["fingerprint"]},
        )

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        key = ctx.api.create_checkout_key(slug_of(desired.parent), desired.fields["type"])
        return self._live(desired.parent or "", desired.name, key)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_checkout_key(slug_of(live.parent), live.ids["fingerprint"])
