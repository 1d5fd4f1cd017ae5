"""Checkout keys, identified by type. CircleCI has no update route; extra keys of a wanted
type (older duplicates) are addressed by fingerprint so an authoritative list removes them."""

from __future__ import annotations

from reconciler.client.api import Json
from reconciler.core import ApplyContext, FetchContext, PlanContext, Resource, Scope
from reconciler.resources.collection import CollectionKind
from reconciler.resources.names import child_address, slug_of


class CheckoutKeyKind(CollectionKind):
    name = "checkout_key"
    parent_kind = "project"
    collection = "checkout_keys"
    label = "checkout key"

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            Resource(
                kind=self.name,
                address=child_address(parent, "checkout_key", key_type),
                name=key_type,
                parent=parent,
                fields={"type": key_type},
            )
            for parent, keys in self.declared(ctx)
            for key_type in sorted({str(getattr(k, "value", k)) for k in keys})
        ]
        return out, self.scopes(ctx)

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        keys = ctx.api.list_checkout_keys(parent.name)
        # The preferred (else newest) key of each type carries the plain address.
        keys.sort(key=lambda k: str(k.get("created_at") or ""), reverse=True)
        keys.sort(key=lambda k: not k.get("preferred"))
        out, seen = [], set()
        for key in keys:
            key_type = key["type"]
            name = key_type if key_type not in seen else f"{key_type}:{key['fingerprint']}"
            seen.add(key_type)
            out.append(self._live(parent.address, name, key))
        return out

    def _live(self, parent: str, name: str, key: Json) -> Resource:
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
