"""Pipeline definitions of a project (ENDPOINTS.md §12), identified by name; PATCH updates
in place, except the config source's provider and repository, which no update can change
(a change replaces the definition, and its triggers are made again on the new one).

Routes are keyed by the project's id. Every PATCH sends the whole writable object (name,
description, config file path, checkout source), as for schedules: the spec does not say
whether CircleCI merges a partial body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.client.api import Json, seg
from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.errors import ReconcilerError
from reconciler.exporting.yamltext import Block
from reconciler.resources.collection import CollectionKind
from reconciler.resources.manifest_text import named
from reconciler.resources.names import child_address, first_keeps_name
from reconciler.resources.pipeline_manifest import (
    DEFINITIONS,
    ConfigProvider,
    PipelineDefinition,
    Repo,
    repo_name,
)
from reconciler.resources.pipeline_repos import (
    LiveDefinitions,
    Repos,
    canonical,
    declared_definition,
    definitions_path,
    project_id,
    repo_ids,
)
from reconciler.resources.pipeline_trigger import export_triggers


def _fields(
    description: object, config: Json, checkout: Json, config_repo: object, checkout_repo: object
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": description or "",
        "config_provider": str(config.get("provider") or ""),
        "file_path": config.get("file_path"),
        "checkout_provider": str(checkout.get("provider") or ""),
        "checkout_repo": checkout_repo,
    }
    if config_repo is not None:
        out["config_repo"] = config_repo
    return out


OAUTH = ConfigProvider.GITHUB_OAUTH.value


def _keepable(ctx: FetchContext, project: str, d: Json) -> bool:
    """Whether the manifest's definition of this name could be `d` updated, not replaced:
    the same config provider and repository, which no update can change."""
    declared = declared_definition(ctx, project, str(d.get("name")))
    if declared is None:
        return False
    config = d.get("config_source") or {}
    repo = repo_name(declared.config_source.repo)
    live_repo = (config.get("repo") or {}).get("full_name")
    return config.get("provider") == declared.config_source.provider.value and (
        (repo or "").lower() == str(live_repo or "").lower()
    )


def _refuse_oauth_writes(ctx: PlanContext, desired: list[Resource], parents: list[str]) -> None:
    """CircleCI makes a GitHub OAuth project's definition and its API never creates,
    changes or deletes one: the plan stops before any write, naming each."""
    live = ctx.facts(LiveDefinitions)
    problems = []
    for r in desired:
        if r.fields["config_provider"] != OAUTH or r.parent not in live.under:
            continue  # not OAuth, or its project's definitions were not read
        have = live.fields.get(r.address)
        if have is None:
            problems.append(
                f"{r.address}: CircleCI makes a GitHub OAuth project's definitions itself and "
                "its API cannot create one; none of this name exists (export shows those it has)"
            )
        elif changed := sorted(k for k, v in r.fields.items() if have.get(k) != v):
            problems.append(
                f"{r.address}: a GitHub OAuth definition cannot be changed through the API "
                f"({', '.join(changed)}); write it as CircleCI has it"
            )
    wanted = {r.address for r in desired}
    for parent in parents:
        for address in live.under.get(parent, []):
            oauth = live.fields.get(address, {}).get("config_provider") == OAUTH
            if oauth and address not in wanted:
                problems.append(
                    f"{address}: a GitHub OAuth definition cannot be deleted through the API; "
                    "list it (export shows it)"
                )
    if problems:
        raise ReconcilerError("; ".join(problems))


class PipelineDefinitionKind(CollectionKind):
    name = "pipeline_definition"
    parent_kind = "project"
    section = DEFINITIONS
    label = "pipeline definition"
    immutable_fields = frozenset({"config_provider", "config_repo"})

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = []
        declared = list(self.declared(ctx, DEFINITIONS))
        if ctx.fetch is not None:  # every repository written must have a known id
            repos: list[Repo | None] = []
            for _, defs in declared:
                for d in defs.values():
                    repos += [d.config_source.repo, d.checkout_source.repo]
                    repos += [t.repo for t in (d.triggers or {}).values()]
            repo_ids(ctx, repos)
        for parent, defs in declared:
            for name, d in sorted(defs.items()):
                out.append(self._desired(ctx, parent, name, d))
        if ctx.fetch is not None and ctx.fetch.strict:  # drift reports what differs
            _refuse_oauth_writes(ctx, out, [parent for parent, _ in declared])
        return out, self.scopes(ctx)

    def _desired(self, ctx: PlanContext, parent: str, name: str, d: PipelineDefinition) -> Resource:
        config, checkout = d.config_source, d.checkout_source
        return Resource(
            kind=self.name,
            address=child_address(parent, "pipeline_definition", name),
            name=name,
            parent=parent,
            fields=_fields(
                d.description,
                {"provider": config.provider.value, "file_path": config.file_path},
                {"provider": checkout.provider.value},
                canonical(ctx, config.repo),
                canonical(ctx, checkout.repo),
            ),
            protect=d.protect,
        )

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        return super().wants(ctx, parent) and bool(parent.ids.get("id"))  # read by project id

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        items = ctx.api.get_all(definitions_path(parent.ids["id"]))
        items.sort(key=lambda d: (str(d.get("created_at") or ""), str(d.get("id"))))
        # One the manifest could keep goes first: after a replace cut short (the new one made,
        # the old not yet deleted) the new one keeps the name and only the old one goes.
        items.sort(key=lambda d: not _keepable(ctx, parent.address, d))
        # Names need not be unique: the first keeps the name.
        out = [
            self.live(ctx, parent.address, parent.ids["id"], d, name)
            for name, d in first_keeps_name(items, "name", "id")
        ]
        facts = ctx.facts(LiveDefinitions)
        facts.under[parent.address] = [r.address for r in out]
        facts.fields.update((r.address, r.fields) for r in out)
        return out

    def live(
        self, ctx: FetchContext | ApplyContext, parent: str, pid: str, d: Json, name: str
    ) -> Resource:
        config, checkout = d.get("config_source") or {}, d.get("checkout_source") or {}
        repos = ctx.facts(Repos)
        for source in (config, checkout):
            repos.learn(source.get("repo"))
        return Resource(
            kind=self.name,
            address=child_address(parent, "pipeline_definition", name),
            name=name,
            parent=parent,
            fields=_fields(
                d.get("description"),
                config,
                checkout,
                (config.get("repo") or {}).get("full_name"),
                (checkout.get("repo") or {}).get("full_name"),
            ),
            ids={"id": d.get("id"), "project_id": pid},
        )

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        # A project with none is left out, so left alone: `{}` would delete any made later.
        if not live:
            return Exported()
        return Exported(named(live, lambda r: self._export_one(ctx, r)))

    def _export_one(self, ctx: ExportContext, r: Resource) -> Block:
        f = r.fields
        out = Block()
        if f["description"]:
            out.add("description", f["description"])
        config = Block()
        if f["config_provider"] != "github_app":
            config.add("provider", f["config_provider"])
        if f.get("config_repo"):
            config.add("repo", f["config_repo"])
        config.add("file_path", f["file_path"])
        out.add("config_source", config)
        checkout = Block()
        if f["checkout_provider"] != "github_app":
            checkout.add("provider", f["checkout_provider"])
        checkout.add("repo", f["checkout_repo"])
        out.add("checkout_source", checkout)
        triggers = export_triggers(ctx, r)
        if triggers is not None:
            out.add("triggers", triggers)
        return out

    # --- writes -----------------------------------------------------------------------
    def _sources(self, ctx: ApplyContext, desired: Resource) -> tuple[Json, Json]:
        d = self._declared(ctx, desired)
        ids = repo_ids(ctx, [d.config_source.repo, d.checkout_source.repo])
        config: Json = {"provider": desired.fields["config_provider"]}
        if "config_repo" in desired.fields:
            config["repo"] = {"external_id": ids[str(desired.fields["config_repo"]).lower()]}
        config["file_path"] = desired.fields["file_path"]
        checkout_id = ids[str(desired.fields["checkout_repo"]).lower()]
        checkout = {
            "provider": desired.fields["checkout_provider"],
            "repo": {"external_id": checkout_id},
        }
        return config, checkout

    def _declared(self, ctx: ApplyContext, desired: Resource) -> PipelineDefinition:
        found = declared_definition(ctx, desired.parent, desired.name)
        if found is None:
            raise ReconcilerError(f"{desired.address} is not in the manifest")
        return found

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        pid = project_id(ctx, desired.parent)
        config, checkout = self._sources(ctx, desired)
        body = {
            "name": desired.name,
            "description": desired.fields["description"],
            "config_source": config,
            "checkout_source": checkout,
        }
        known = {r.ids.get("id") for r in ctx.live.values() if r.kind == self.name}
        answer = ctx.api.send(
            "POST", definitions_path(pid), body, probe=self._probe(ctx, pid, desired.name, known)
        )
        return self.live(ctx, desired.parent or "", pid, answer, desired.name)

    @staticmethod
    def _probe(
        ctx: ApplyContext, pid: str, name: str, known: set[Any]
    ) -> Callable[[], Json | None]:
        """The definition a lost answer may have made: named so, and not one read before."""

        def probe() -> Json | None:
            items = ctx.api.get_all(definitions_path(pid))
            return next(
                (d for d in items if d.get("name") == name and d.get("id") not in known), None
            )

        return probe

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        config, checkout = self._sources(ctx, desired)
        body = {
            "name": desired.name,
            "description": desired.fields["description"],
            "config_source": {"file_path": config["file_path"]},
            "checkout_source": checkout,
        }
        path = f"{definitions_path(live.ids['project_id'])}/{seg(live.ids['id'])}"
        answer = ctx.api.send("PATCH", path, body)
        return self.live(ctx, desired.parent or "", live.ids["project_id"], answer, desired.name)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete(f"{definitions_path(live.ids['project_id'])}/{seg(live.ids['id'])}")
