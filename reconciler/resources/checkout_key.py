"""Checkout keys, identified by type. CircleCI has no update route; extra keys of a wanted
type (older duplicates) are addressed by fingerprint so an authoritative list removes them."""

from __future__ import annotations

from collections import Counter

from reconciler.client.api import Json
from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.exporting.yamltext import Flow
from reconciler.manifest.fields import CheckoutKeyType
from reconciler.manifest.section import Section, SetList
from reconciler.resources.collection import CollectionKind
from reconciler.resources.names import child_address, first_keeps_name, slug_of

KEY_TYPES = tuple(t.value for t in CheckoutKeyType)

CHECKOUT_KEYS: Section[list[CheckoutKeyType]] = Section(
    owner="project",
    key="checkout_keys",
    annotation=list[CheckoutKeyType] | None,
    description="Checkout key types wanted: deploy-key, user-key.",
    set_lists=(SetList(),),
    not_on_standalone="CircleCI makes no checkout keys there; the app's integration checks out",
    merge="whole",
)


class CheckoutKeyKind(CollectionKind):
    name = "checkout_key"
    parent_kind = "project"
    section = CHECKOUT_KEYS
    label = "checkout key"
    on_standalone = False

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            Resource(
                kind=self.name,
                address=child_address(parent, "checkout_key", key_type),
                name=key_type,
                parent=parent,
                fields={"type": key_type},
            )
            for parent, keys in self.declared(ctx, CHECKOUT_KEYS)
            for key_type in sorted({str(getattr(k, "value", k)) for k in keys})
        ]
        return out, self.scopes(ctx)

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        keys = ctx.api.list_checkout_keys(parent.name)
        # The preferred (else newest) key of each type carries the plain address.
        keys.sort(key=lambda k: str(k.get("created_at") or ""), reverse=True)
        keys.sort(key=lambda k: not k.get("preferred"))
        return [
            self._live(parent.address, name, key)
            for name, key in first_keeps_name(keys, "type", "fingerprint")
        ]

    def _live(self, parent: str, name: str, key: Json) -> Resource:
        return Resource(
            kind=self.name,
            address=child_address(parent, "checkout_key", name),
            name=name,
            parent=parent,
            fields={"type": key["type"]},
            ids={"fingerprint": key["fingerprint"]},
        )

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """The key types, or none (hands-off) with the reason when a list would delete keys."""
        n = Counter(str(r.fields.get("type")) for r in live)
        odd = sorted(t for t in n if t not in KEY_TYPES)
        if odd:
            why = f"CircleCI reports key types this tool does not know ({odd})"
            return Exported(notes=[f"checkout_keys: left out: {why}"])
        twice = sorted(t for t, count in n.items() if count > 1)
        if twice:
            return Exported(
                notes=[
                    f"checkout_keys: left out: {', '.join(twice)} keys are live more than once, "
                    "and listing the type would delete all but the preferred one"
                ]
            )
        return Exported(Flow(sorted(n)))

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        key = ctx.api.create_checkout_key(slug_of(desired.parent), desired.fields["type"])
        return self._live(desired.parent or "", desired.name, key)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_checkout_key(slug_of(live.parent), live.ids["fingerprint"])
