"""Outbound webhooks of a project, identified by name; PUT updates in place. The signing
secret is masked on read, so it is compared only through the fingerprint ledger."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    StrictBool,
    StrictStr,
    WithJsonSchema,
    field_validator,
)

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
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.fields import NonBlank, StrictModel, WebhookEvent
from reconciler.manifest.positions import Path_
from reconciler.manifest.section import Ignore, Section, SetList
from reconciler.resources.collection import CollectionKind
from reconciler.resources.manifest_text import named, problem, project_names
from reconciler.resources.names import child_address, first_keeps_name, slug_of
from reconciler.resources.project import ProjectIds
from reconciler.resources.secrets import ledger_verdict, reveal


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValueError("webhook URL must start with https://")
    if not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("webhook URL has no host, or contains spaces")
    if parts.username is not None or parts.password is not None:
        raise ValueError("webhook URL must not carry credentials (user:password@)")
    return value


class Webhook(StrictModel):
    """An outbound webhook of the project, matched by its name."""

    url: Annotated[
        StrictStr,
        AfterValidator(_https_url),
        WithJsonSchema({"type": "string", "pattern": "^https://"}),
    ]
    """Where CircleCI posts events (https only)."""
    events: list[WebhookEvent]
    """Events sent: workflow-completed, job-completed."""
    verify_tls: StrictBool = True
    """Check the receiver's TLS certificate."""
    signing_secret: EnvVar | None = None
    """Secret used to sign deliveries; a value like an env var's (`{env: NAME}` ...)."""
    protect: StrictBool = False
    """Never delete or replace this webhook while it is listed here (the plan fails instead)."""

    @field_validator("events")
    @classmethod
    def _some_events(cls, value: list[WebhookEvent]) -> list[WebhookEvent]:
        if not value:
            raise ValueError("events is empty; list at least one")
        return value

    @field_validator("signing_secret")
    @classmethod
    def _no_protect(cls, value: EnvVar) -> EnvVar:
        if "protect" in value.model_fields_set:
            raise ValueError("protect belongs on the webhook, not on its signing_secret")
        if value.adopted:  # adoption is for env vars; leaving the key out already keeps it
            raise ValueError("signing_secret needs one of env, file or value")
        return value


def _secrets(project: BaseModel) -> Iterator[tuple[Path_, EnvVar]]:
    for name, hook in (WEBHOOKS.of(project) or {}).items():
        if hook.signing_secret is not None:
            yield (name, "signing_secret"), hook.signing_secret


IGNORED = Ignore("webhooks", "Webhook names.", order=2)

WEBHOOKS: Section[dict[str, Webhook]] = Section(
    owner="project",
    key="webhooks",
    annotation=dict[NonBlank, Webhook] | None,
    description="Outbound webhooks, by name.",
    set_lists=(SetList(("*", "events")),),
    secrets=_secrets,
    merge="by_name",
)


def _fields(url: object, events: Iterable[object] | None, verify_tls: object) -> dict[str, Any]:
    return {
        "url": url,
        "events": sorted({str(getattr(e, "value", e)) for e in events or []}),
        "verify_tls": bool(verify_tls) if verify_tls is not None else True,
    }


class WebhookKind(CollectionKind):
    name = "webhook"
    parent_kind = "project"
    section = WEBHOOKS
    label = "webhook"
    set_fields = frozenset({"events"})
    secret_fields = frozenset({"signing_secret"})
    ignore = IGNORED

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
            for parent, hooks in self.declared(ctx, WEBHOOKS)
            for name, h in sorted(hooks.items())
        ]
        return out, self.scopes(ctx)

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        return super().wants(ctx, parent) and bool(parent.ids.get("id"))  # listed by project id

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        hooks = ctx.api.list_webhooks(parent.ids["id"])
        hooks.sort(key=lambda h: (str(h.get("created_at") or ""), str(h.get("id"))))
        # Names are not unique in CircleCI: the oldest keeps the name.
        return [
            self._live(parent.address, h, name) for name, h in first_keeps_name(hooks, "name", "id")
        ]

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
        """One webhook, its signing secret left out or as a placeholder; None (hands-off) when
        the manifest would refuse it."""
        slug, short = project_names(parent)
        data = {k: r.fields[k] for k in ("url", "events", "verify_tls")}
        why = problem(Webhook, data)
        if why is not None:
            ctx.hands_off.add(IGNORED.key, r.name, f"webhook {r.name!r} of {slug}: {why}")
            return None
        out = Block()
        out.add("events", Flow(list(r.fields["events"])))
        if r.signal.get("masked") and ctx.placeholders.enabled:  # masked when set, else empty
            out.add(
                "signing_secret",
                Flow({"env": ctx.placeholders.webhook_secret(slug, r.name, short)}),
            )
        elif r.signal.get("masked"):  # left out, so left alone
            ctx.placeholders.left_out += 1
            out.notes.append("CircleCI reports a signing secret: left out, so left alone")
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

    def update_loses(self, desired: Resource, live: Resource, changed: list[str]) -> str | None:
        # An update sends the whole webhook, and CircleCI's PUT may replace it: a signing
        # secret left out of the manifest would be dropped, not left alone.
        if desired.secret is None and live.signal.get("masked"):
            return (
                "its signing secret, set in CircleCI but left out of the manifest "
                "(write signing_secret to keep one, '' if it has none)"
            )
        return None

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
