"""What the two pipeline kinds share: the repositories CircleCI named (full name -> the
external id its requests need), the definitions read per project, the manifest entry of a
definition, and the project-id routes."""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.client.api import seg
from reconciler.core import ApplyContext, FetchContext, PlanContext
from reconciler.errors import ReconcilerError
from reconciler.resources.names import manifest_projects, slug_of
from reconciler.resources.pipeline_manifest import (
    DEFINITIONS,
    PipelineDefinition,
    Repo,
    RepoRef,
    repo_name,
)
from reconciler.resources.project import ProjectIds


@dataclass
class Repos:
    """Repositories CircleCI named in the definitions and triggers read, and those the
    manifest names with an id: lower-cased full name -> (full name, external id)."""

    known: dict[str, tuple[str, str]] = field(default_factory=dict)

    def learn(self, repo: object) -> None:
        if isinstance(repo, dict) and repo.get("full_name") and repo.get("external_id"):
            name = str(repo["full_name"])
            self.known.setdefault(name.lower(), (name, str(repo["external_id"])))


@dataclass
class LiveDefinitions:
    """Project address -> addresses of the definitions read under it, and their fields."""

    under: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, dict[str, object]] = field(default_factory=dict)  # address -> fields


def repo_ids(ctx: PlanContext | ApplyContext, repos: list[Repo | None]) -> dict[str, str]:
    """External ids of these repositories (lower-cased full name -> id): learnt, or written;
    a repository neither names stops the plan, as does an id the manifest contradicts."""
    known = ctx.facts(Repos).known
    out: dict[str, str] = {}
    unknown: dict[str, str] = {}
    # Written ids first: a name written elsewhere with its id is known by it.
    for repo in sorted(repos, key=lambda r: not isinstance(r, RepoRef)):
        name = repo_name(repo)
        if name is None:
            continue
        learnt = known.get(name.lower())
        if isinstance(repo, RepoRef):
            if learnt is not None and learnt[1] != str(repo.external_id):
                raise ReconcilerError(
                    f"repository {name}: the manifest gives external_id {repo.external_id}, "
                    f"CircleCI's definitions name it {learnt[1]}; correct or remove it"
                )
            out[name.lower()] = str(repo.external_id)
            known.setdefault(name.lower(), (name, str(repo.external_id)))  # for later writes
        elif learnt is not None:
            out[name.lower()] = learnt[1]
        else:
            unknown.setdefault(name.lower(), name)
    if unknown:  # every one at once
        raise ReconcilerError(
            "; ".join(
                f"repository {name}: no pipeline definition of the project names it, so its "
                "id is unknown; write repo: {full_name: " + name + ", external_id: <GitHub's "
                "repository id>}"
                for name in unknown.values()
            )
        )
    return out


def canonical(ctx: PlanContext, repo: Repo | None) -> str | None:
    """The full name as CircleCI spells it, where it named the repository."""
    name = repo_name(repo)
    if name is None:
        return None
    return ctx.facts(Repos).known.get(name.lower(), (name, ""))[0]


def declared_definition(
    ctx: PlanContext | FetchContext | ApplyContext, project: str | None, name: str
) -> PipelineDefinition | None:
    """The manifest's definition `name` of the project at address `project`."""
    entry = manifest_projects(ctx.manifest).get(slug_of(project))
    defs = DEFINITIONS.of(entry) if entry is not None else None
    return (defs or {}).get(name)


def project_id(ctx: ApplyContext, project: str | None) -> str:
    found = ctx.facts(ProjectIds).ids.get(slug_of(project)) or ctx.parent_ids(project).get("id")
    if not found:
        raise ReconcilerError(f"{project}: its id is unknown, so its definitions cannot be written")
    return str(found)


def definitions_path(project_id: str) -> str:
    return f"/projects/{seg(project_id)}/pipeline-definitions"
