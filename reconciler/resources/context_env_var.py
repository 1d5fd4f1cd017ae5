"""Context environment variables: written by PUT (an upsert, so a value never goes missing).
CircleCI returns no part of the value; only the ledger's fingerprints can compare it."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from reconciler.client.api import Json
from reconciler.core import (
    ApplyContext,
    ExportContext,
    FetchContext,
    PlanContext,
    Resource,
    SecretVerdict,
)
from reconciler.exporting.placeholders import Ref
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.fields import EnvVarName
from reconciler.manifest.section import Section
from reconciler.resources.env_var import EnvVarKind, env_secrets
from reconciler.resources.names import child_address
from reconciler.resources.secrets import ledger_verdict, reveal

MAX_CONTEXT_ENV_VARS = 100  # CircleCI's limit per context


def _limit(value: dict[str, EnvVar]) -> dict[str, EnvVar]:
    if len(value) > MAX_CONTEXT_ENV_VARS:
        raise ValueError(
            f"a context holds at most {MAX_CONTEXT_ENV_VARS} env vars (CircleCI's limit)"
        )
    return value


ENV_VARS: Section[dict[str, EnvVar]] = Section(
    owner="context",
    key="env_vars",
    annotation=Annotated[dict[EnvVarName, EnvVar], AfterValidator(_limit)] | None,
    description="Environment variables, by name; absent = hands-off, {} = none.",
    secrets=lambda context: env_secrets(ENV_VARS, context),
)


class ContextEnvVarKind(EnvVarKind):
    name = "context_env_var"
    parent_kind = "context"
    section = ENV_VARS
    # A new context is restricted before any secret is written into it.
    after_siblings = ("context_restriction",)

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        items = ctx.api.list_context_env_vars(parent.ids["id"])
        return [self._live(parent.address, e) for e in items]

    def _live(self, parent: str, e: Json) -> Resource:
        return Resource(
            kind=self.name,
            address=child_address(parent, "env_var", e["name"]),
            name=e["name"],
            parent=parent,
            signal={"updated_at": e.get("updated_at"), "created_at": e.get("created_at")},
        )

    def secret_verdict(self, desired: Resource, live: Resource, ctx: PlanContext) -> SecretVerdict:
        known = ledger_verdict(desired, live, ctx)
        return known or SecretVerdict(None, "CircleCI never returns context values")

    def placeholder(self, ctx: ExportContext, parent: Resource, name: str) -> Ref:
        return ctx.placeholders.context_env_var(parent.name, name)

    def invalid_name(self, parent: Resource, name: str) -> str:
        return f"env var {name!r} of context {parent.name!r}: invalid name"

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        context_id = ctx.parent_ids(desired.parent)["id"]
        e = ctx.api.put_context_env_var(context_id, desired.name, reveal(ctx, desired.secret))
        return self._live(desired.parent or "", e)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_context_env_var(ctx.parent_ids(live.parent)["id"], live.name)
