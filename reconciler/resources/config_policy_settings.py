"""Decision settings of the organization's config policies (`enabled` under
`organization_settings.config_policies`): whether CircleCI evaluates pipeline configs
against the policies. Always present in CircleCI; PATCHed in place, never deleted."""

from __future__ import annotations

import dataclasses

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
from reconciler.errors import ApiError
from reconciler.resources.config_policy import (
    CONFIG_POLICIES,
    base_path,
    declared,
    read,
)

ADDRESS = "organization.config_policy_settings"
# The same manifest key as the policies (one mapping holds both); its rules run once, with
# the policies' section.
SECTION = dataclasses.replace(CONFIG_POLICIES, rules=None)


class ConfigPolicySettingsKind(Kind):
    name = "config_policy_settings"
    label = "config policy settings"
    section = SECTION

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        found = declared(ctx.manifest)
        if found is None or found.enabled is None:
            return [], []
        fields = {"enabled": found.enabled}
        return [Resource(self.name, ADDRESS, "settings", fields=fields, protect=True)], []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        found = declared(ctx.manifest)
        managed = "enabled" if found is not None and found.enabled is not None else None
        got = read(ctx, managed, "decision/settings", ctx.api.get)
        return [] if got is None else [self._live(got[1], got[0])]

    def _live(self, answer: dict[str, object], path: str, method: str = "GET") -> Resource:
        """`enabled` is a boolean: a broken answer is not read as `false` (nor planned)."""
        enabled = answer.get("enabled")
        if not isinstance(enabled, bool):
            raise ApiError(
                "CircleCI sent decision settings of an unexpected shape (no enabled); nothing "
                "was planned or changed",
                method=method,
                path=path,
            )
        return Resource(self.name, ADDRESS, "settings", fields={"enabled": enabled})

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """Written with the policies, under the one `config_policies` key."""
        return Exported()

    def _patch(self, ctx: ApplyContext, desired: Resource) -> Resource:
        path = f"{base_path(ctx.org_id)}/decision/settings"
        return self._live(ctx.api.send("PATCH", path, dict(desired.fields)), path, "PATCH")

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return self._patch(ctx, desired)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        return self._patch(ctx, desired)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        raise NotImplementedError("decision settings are never deleted")
