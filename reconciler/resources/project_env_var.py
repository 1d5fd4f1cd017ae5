"""Project environment variables: overwritten in place (POST upserts), compared by the masked
suffix CircleCI shows (`xxxx` + last 4), or by the fingerprint ledger when one is kept."""

from __future__ import annotations

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
from reconciler.resources.manifest_text import project_names
from reconciler.resources.names import child_address, slug_of
from reconciler.resources.secrets import ledger_verdict, reveal

MASK = "xxxx"

ENV_VARS: Section[dict[str, EnvVar]] = Section(
    owner="project",
    key="env_vars",
    annotation=dict[EnvVarName, EnvVar] | None,
    description="Environment variables, by name.",
    secrets=lambda project: env_secrets(ENV_VARS, project),
    merge="by_name",
)


def masked_suffix(masked: str | None) -> str | None:
    if not masked or not masked.startswith(MASK):
        return None
    return masked[len(MASK) :] or None


def _may_end(value: str, shown: str) -> bool:
    """Whether CircleCI's mask can come from `value`. The spec shows "the last four ASCII
    characters", which skips any others (`pässwörd` shows `swrd`): either reading
    of that rule is accepted, so such a value is not rewritten on every apply."""
    return value.endswith(shown) or "".join(c for c in value if c.isascii()).endswith(shown)


class ProjectEnvVarKind(EnvVarKind):
    name = "project_env_var"
    parent_kind = "project"
    section = ENV_VARS

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        return [self._live(parent.address, e) for e in ctx.api.list_project_env_vars(parent.name)]

    def _live(self, parent: str, item: Json) -> Resource:
        return Resource(
            kind=self.name,
            address=child_address(parent, "env_var", item["name"]),
            name=item["name"],
            parent=parent,
            # POST overwrites by making the variable again, so its created_at is the time of
            # the last write: the ledger's tamper signal for project variables.
            signal={
                "masked": item.get("value"),
                "created_at": item.get("created_at"),
                "updated_at": item.get("created_at"),
            },
        )

    def secret_verdict(self, desired: Resource, live: Resource, ctx: PlanContext) -> SecretVerdict:
        shown = masked_suffix(live.signal.get("masked"))
        if ctx.resolver is not None and shown:
            value = reveal(ctx, desired.secret)
            if not _may_end(value, shown):  # a certain change, whatever the ledger remembers
                return SecretVerdict(True, "CircleCI's masked value ends differently")
        known = ledger_verdict(desired, live, ctx)
        if known is not None and known.changed is not None:
            return known
        if shown:
            # Four equal characters tell nothing about the rest: no claim of a match.
            why = f"CircleCI shows only its last {len(shown)} characters, too few to tell"
            return SecretVerdict(None, why)
        return known or SecretVerdict(None, "CircleCI shows no part of this value")

    def placeholder(self, ctx: ExportContext, parent: Resource, name: str) -> Ref:
        slug, short = project_names(parent)
        return ctx.placeholders.project_env_var(slug, name, short)

    def invalid_name(self, parent: Resource, name: str) -> str:
        return f"env var {name!r} of {project_names(parent)[0]}: not a valid manifest name"

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        item = ctx.api.create_project_env_var(
            slug_of(desired.parent), desired.name, reveal(ctx, desired.secret)
        )
        return self._live(desired.parent or "", item)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_project_env_var(slug_of(live.parent), live.name)
