"""Outbound webhooks of a project, identified by name; PUT updates in place. The signing
secret is masked on read, so it is compared only through the fingerprint ledger."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    PlanContext,
    Resource,
    Scope,
    SecretVerdict,
)
from reconciler.exporting.yamltext import Block, Flow
from reconciler.manifest import Webhook
from reconciler.resources.collection import CollectionKind
from reconciler.resources.manifest_text import named, problem, project_names
from reconciler.resources.names import child_address, slug_of
from reconciler.resources.project import ProjectIds
from reconciler.resources.secrets import ledger_verdict, reveal


def _fields(url: object, events: Iterable[object] | None, verify_tls: object) -> dict[str, Any]:
    return {
        "url": url,
        "events": sorted({str(getattr(e, "value", e)) for e in events or []}),
        "verify_tls": bool(verify_tls) if verify_tls is not None else True,
    }


class WebhookKind(CollectionKind):
    name = "webhook"
    parent_kind = "project"
    collection = "webhooks"
    label = "webhook"
    set_fields = frozenset({"events"})
    secret_fields = frozenset({"signing_secret"})
    ignore_category = "webhooks"

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            Resource(
                kind=self.name,
                address=child_address(parent, "webhook", name),
                name=name,
                parent=parent,
                fields=_fields(h.url, h.events, h.verify_tls),
                secret=h.signing_secret,
                signal={"version": getattr(h.signing_secret, "version", None)},
                protect=bool(getattr(h, "protect", False)),
            )
            for parent, hooks in self.declared(ctx)
            for name, h in sorted(hooks.items())
        ]
        return out, self.scopes(ctx)

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        return super().wants(ctx, parent) and bool(parent.ids.get("id"))  # listed by project id

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        hooks = ctx.api.list_webhooks(parent.ids["id"])
        hooks.sort(key=lambda h: (str(h.get("created_at") or ""), str(h.get("id"))))
        out, seen = [], set()
        for h in hooks:
            # Names are not unique in CircleCI: the oldest keeps the name, any other is
            # addressed by id, so an authoritative collection removes it and drift shows it.
            name = h["name"] if h["name"] not in seen else f"{h['name']}:{h.get('id')}"
            seen.add(h["name"])
            out.append(self._live(parent.address, h, name))
        return out

    def _live(self, parent: str, h: dict[str, Any], name: str | None = None) -> Resource:
        name = name or h["name"]
        return Resource(
            kind=self.name,
            address=child_address(parent, "webhook", name),
            name=name,
            parent=parent,
            fields=_fields(h.get("url"), h.get("events"), h.get("verify_tls")),
            ids={"id": h.get("id")},
            signal={"masked": h.get("signing_secret"), "updated_at": h.get("updated_at")},
        )

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        assert parent is not None
        return Exported(named(live, lambda r: self._export_one(ctx, parent, r)))

    def _export_one(self, ctx: ExportContext, parent: Resource, r: Resource) -> Block | None:
        """One webhook, its signing secret as a placeholder; None (hands-off) when the
        manifest would refuse it."""
        slug, short = project_names(parent)
        data = {k: r.fields[k] for k in ("url", "events", "verify_tls")}
        why = problem(Webhook, data)
        if why is not None:
            ctx.hands_off.add("webhooks", r.name, f"webhook {r.name!r} of {slug}: {why}")
            return None
        out = Block()
        out.add("events", Flow(list(r.fields["events"])))
        if r.signal.get("masked"):  # shown masked when set; empty when there is none
            out.add(
                "signing_secret",
                Flow({"env": ctx.placeholders.webhook_secret(slug, r.name, short)}),
            )
        out.add("url", r.fields["url"])
        out.add("verify_tls", r.fields["verify_tls"])
        return out

    def secret_verdict(self, desired: Resource, live: Resource, ctx: PlanContext) -> SecretVerdict:
        known = ledger_verdict(desired, live, ctx)
        if known is not None:
            return known
        if not live.signal.get("masked"):
            return SecretVerdict(True, "CircleCI reports no signing secret")
        return SecretVerdict(None, "CircleCI masks webhook signing secrets")

    def _secret(self, ctx: ApplyContext, desired: Resource) -> str:
        return reveal(ctx, desired.secret) if desired.secret is not None else ""

    def _checked(self, parent: str, answer: dict[str, Any], sent: str) -> Resource:
        """The live form of a write's answer. A masked echo shows the secret was kept; its
        absence proves nothing (CircleCI's provider: it "may not be returned"), so the write
        stands and the outcome says the secret was not verified."""
        live = self._live(parent, answer)
        if sent and not answer.get("signing_secret"):
            live.signal["note"] = "signing secret sent but not verified: the answer omits it"
        return live

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        project_id = ctx.facts(ProjectIds).ids.get(slug_of(desired.parent)) or ctx.parent_ids(
            desired.parent
        ).get("id")
        secret = self._secret(ctx, desired)
        body = {
            "name": desired.name,
            **desired.fields,
            "signing_secret": secret,
            "scope": {"id": project_id, "type": "project"},
        }
        answer = ctx.api.create_webhook(body)
        return self._checked(desired.parent or "", answer, secret)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        # The whole object, as every real client sends it: whether CircleCI's PUT merges or
        # replaces is not documented, and a replace would drop what is left out.
        body: dict[str, Any] = {"name": desired.name, **desired.fields}
        if desired.secret is not None:
            body["signing_secret"] = self._secret(ctx, desired)
        answer = ctx.api.update_webhook(live.ids["id"], body)
        return self._checked(desired.parent or "", answer, body.get("signing_secret", ""))

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_webhook(live.ids["id"])
