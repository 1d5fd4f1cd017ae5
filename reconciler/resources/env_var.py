"""What project and context environment variables share: a collection under their parent,
one write-only value, and an update that is the same upsert as a create (so a value is
overwritten in place and never goes missing)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from pydantic import BaseModel

from reconciler.core import ApplyContext, ExportContext, Exported, PlanContext, Resource, Scope
from reconciler.exporting.placeholders import Ref
from reconciler.exporting.yamltext import Block, Flow
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.names import env_name_problem
from reconciler.manifest.positions import Path_
from reconciler.manifest.section import Ignore, Section
from reconciler.resources.collection import CollectionKind
from reconciler.resources.secrets import env_var_resources

IGNORED = Ignore("env_vars", "Env var names, for project and context env vars alike.", order=1)


def env_secrets(
    section: Section[dict[str, EnvVar]], parent: BaseModel
) -> Iterator[tuple[Path_, EnvVar]]:
    """The secret references of an `env_vars` section: every value, by name."""
    for name, var in (section.of(parent) or {}).items():
        yield (name,), var


class EnvVarKind(CollectionKind):
    section: ClassVar[Section[dict[str, EnvVar]]]
    collection = "env_vars"
    label = "env var"
    secret_fields = frozenset({"value"})
    ignore = IGNORED

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            r
            for p, env in self.declared(ctx, self.section)
            for r in env_var_resources(self.name, p, env)
        ]
        return out, self.scopes(ctx)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        return self.create(ctx, desired)

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """Each variable adopted (`NAME: {}`), or its value as an `{env: NAME}` placeholder:
        CircleCI never returns one."""
        assert parent is not None
        out = Block()
        for r in sorted(live, key=lambda r: str(r.name)):
            if env_name_problem(r.name):
                ctx.hands_off.add(IGNORED.key, r.name, self.invalid_name(parent, r.name))
                continue
            if ctx.placeholders.enabled:
                out.add(r.name, Flow({"env": self.placeholder(ctx, parent, r.name)}))
            else:
                ctx.placeholders.adopted += 1
                out.add(r.name, Flow({}))
        return Exported(out)

    @abstractmethod
    def placeholder(self, ctx: ExportContext, parent: Resource, name: str) -> Ref:
        """The variable an exported value is read from."""

    @abstractmethod
    def invalid_name(self, parent: Resource, name: str) -> str:
        """Why the variable is left alone, for the policy's comment."""
