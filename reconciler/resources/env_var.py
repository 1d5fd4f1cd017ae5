"""What project and context environment variables share: a collection under their parent,
one write-only value, and an update that is the same upsert as a create (so a value is
overwritten in place and never goes missing)."""

from __future__ import annotations

from reconciler.core import ApplyContext, PlanContext, Resource, Scope
from reconciler.resources.collection import CollectionKind
from reconciler.resources.secrets import env_var_resources


class EnvVarKind(CollectionKind):
    collection = "env_vars"
    label = "env var"
    secret_fields = frozenset({"value"})
    ignore_category = "env_vars"

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [r for p, env in self.declared(ctx) for r in env_var_resources(self.name, p, env)]
        return out, self.scopes(ctx)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        return self.create(ctx, desired)
