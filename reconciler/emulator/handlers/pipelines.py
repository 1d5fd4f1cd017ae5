"""Pipeline definitions (ENDPOINTS.md §12), keyed by project id, and the repositories their
sources name by GitHub's id (`external_id`). Snake_case bodies; lists are `{items}` with no
page token, as the spec has them.

Choices where the spec is silent (README): an unknown repository id is refused with 400
"Repository not found."; a GitHub OAuth definition (CircleCI makes it for an OAuth project)
can be read but not made, changed or deleted through the API; names need not be unique.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.http import Ctx, Fail, Reply, Route, SeedKey
from reconciler.emulator.util import is_uuid, new_id
from reconciler.emulator.world import Record, World

REPOS = "repositories"
TABLE = "pipeline_definitions"
CONFIG_PROVIDERS = {"github_app", "circleci"}  # what createPipelineDefinition takes
OAUTH = "github_oauth"
NOT_FOUND = "Pipeline definition not found."


def incorrect(field: str) -> Fail:
    return Fail(400, f"JSON field '{field}' is of incorrect type.")


def unexpected(field: str) -> Fail:
    return Fail(400, f"Unexpected JSON field '{field}'.")


def missing() -> Fail:
    return Fail(400, "Missing one or more JSON fields.")


def repo_view(world: World, repo_id: str | None) -> dict[str, Any] | None:
    repo = world.table(REPOS).get(repo_id or "")
    return None if repo is None else {"full_name": repo["full_name"], "external_id": repo_id}


def view(world: World, d: Record) -> dict[str, Any]:
    config: dict[str, Any] = {"provider": d["config_provider"]}
    if d["config_repo"] is not None:
        config["repo"] = repo_view(world, d["config_repo"])
    config["file_path"] = d["file_path"]
    checkout = {"provider": d["checkout_provider"], "repo": repo_view(world, d["checkout_repo"])}
    return {
        "id": d["id"],
        "name": d["name"],
        "description": d["description"],
        "created_at": d["created_at"],
        "config_source": config,
        "checkout_source": checkout,
    }


def project_by_id(ctx: Ctx, project_id: str) -> Record:
    project = ctx.world.projects.get(project_id.lower()) if is_uuid(project_id) else None
    if project is None or not ctx.member_of(project["organization_id"]):
        raise Fail(404, "Project does not exist.")
    return project


def known_repo(world: World, project: Record, raw: Any, where: str) -> str:
    """The external id of `{external_id}` naming a repository of the project's org."""
    if not isinstance(raw, dict):
        raise incorrect(where)
    extra = sorted(set(raw) - {"external_id"})
    if extra:
        raise unexpected(f"{where}.{extra[0]}")
    repo_id = raw.get("external_id")
    if not isinstance(repo_id, str):
        raise missing() if repo_id is None else incorrect(f"{where}.external_id")
    repo = world.table(REPOS).get(repo_id)
    if repo is None or repo["organization_id"] != project["organization_id"]:
        raise Fail(400, "Repository not found.")
    return repo_id


def _string(data: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise missing()
        return None
    if not isinstance(value, str):
        raise incorrect(key)
    return value


def _config(world: World, project: Record, raw: Any) -> tuple[str, str | None, str]:
    if not isinstance(raw, dict):
        raise incorrect("config_source")
    provider = raw.get("provider")
    if provider == OAUTH:
        raise Fail(400, "Pipeline definitions with provider 'github_oauth' cannot be created.")
    if provider not in CONFIG_PROVIDERS:
        raise incorrect("config_source.provider")
    allowed = {"provider", "file_path"} | ({"repo"} if provider == "github_app" else set())
    extra = sorted(set(raw) - allowed)
    if extra:
        raise unexpected(f"config_source.{extra[0]}")
    if not isinstance(raw.get("file_path"), str) or not raw["file_path"]:
        raise missing() if "file_path" not in raw else incorrect("config_source.file_path")
    if provider == "circleci":
        return provider, None, raw["file_path"]
    if "repo" not in raw:
        raise missing()
    return provider, known_repo(world, project, raw["repo"], "config_source.repo"), raw["file_path"]


def _checkout(world: World, project: Record, raw: Any, partial: bool = False) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise incorrect("checkout_source")
    extra = sorted(set(raw) - {"provider", "repo"})
    if extra:
        raise unexpected(f"checkout_source.{extra[0]}")
    out: dict[str, Any] = {}
    if "provider" in raw or not partial:
        if raw.get("provider") != "github_app":
            raise missing() if "provider" not in raw else incorrect("checkout_source.provider")
        out["checkout_provider"] = "github_app"
    if "repo" in raw or not partial:
        if "repo" not in raw:
            raise missing()
        out["checkout_repo"] = known_repo(world, project, raw["repo"], "checkout_source.repo")
    return out


def add(world: World, project: Record, fields: dict[str, Any]) -> Record:
    record = {
        "id": new_id(),
        "project_id": project["id"],
        "description": "",
        "created_at": world.clock.now(),
        **fields,
    }
    world.table(TABLE)[record["id"]] = record
    return record


def list_definitions(ctx: Ctx, project_id: str) -> Reply:
    project = project_by_id(ctx, project_id)
    found = [d for d in ctx.world.table(TABLE).values() if d["project_id"] == project["id"]]
    found.sort(key=lambda d: (d["created_at"], d["id"]))
    return Reply(200, {"items": [view(ctx.world, d) for d in found]})


def create_definition(ctx: Ctx, project_id: str) -> Reply:
    project = project_by_id(ctx, project_id)
    allowed = {"name", "description", "config_source", "checkout_source"}
    data = ctx.object_body(allowed, allowed - {"description"})
    name = _string(data, "name", required=True)
    description = _string(data, "description") or ""
    provider, config_repo, file_path = _config(ctx.world, project, data["config_source"])
    fields = {
        "name": name,
        "description": description,
        "config_provider": provider,
        "config_repo": config_repo,
        "file_path": file_path,
        **_checkout(ctx.world, project, data["checkout_source"]),
    }
    return Reply(200, view(ctx.world, add(ctx.world, project, fields)))


def find(ctx: Ctx, project_id: str, definition_id: str) -> Record:
    project = project_by_id(ctx, project_id)
    found = ctx.world.table(TABLE).get(definition_id.lower())
    if found is None or found["project_id"] != project["id"]:
        raise Fail(404, NOT_FOUND)
    return found


def _writable(d: Record, what: str) -> None:
    if d["config_provider"] == OAUTH:
        raise Fail(
            400, f"{what} pipeline definitions with provider 'github_oauth' is not supported."
        )


def get_definition(ctx: Ctx, project_id: str, definition_id: str) -> Reply:
    return Reply(200, view(ctx.world, find(ctx, project_id, definition_id)))


def update_definition(ctx: Ctx, project_id: str, definition_id: str) -> Reply:
    found = find(ctx, project_id, definition_id)
    _writable(found, "Updating")
    project = ctx.world.projects[found["project_id"]]
    data = ctx.object_body({"name", "description", "config_source", "checkout_source"})
    changes: dict[str, Any] = {}
    for key in ("name", "description"):
        if key in data:
            if data[key] is None:  # a string in the spec: null is refused, not stored
                raise incorrect(key)
            changes[key] = _string(data, key)
    if "config_source" in data:
        raw = data["config_source"]
        if not isinstance(raw, dict):
            raise incorrect("config_source")
        extra = sorted(set(raw) - {"file_path"})  # provider and repo cannot change
        if extra:
            raise unexpected(f"config_source.{extra[0]}")
        if "file_path" in raw:
            if not isinstance(raw["file_path"], str) or not raw["file_path"]:
                raise incorrect("config_source.file_path")
            changes["file_path"] = raw["file_path"]
    if "checkout_source" in data:
        changes.update(_checkout(ctx.world, project, data["checkout_source"], partial=True))
    found.update(changes)
    return Reply(200, view(ctx.world, found))


def delete_definition(ctx: Ctx, project_id: str, definition_id: str) -> Reply:
    found = find(ctx, project_id, definition_id)
    _writable(found, "Deleting")
    del ctx.world.table(TABLE)[found["id"]]
    triggers = ctx.world.table("pipeline_triggers")
    for key in [k for k, t in triggers.items() if t["definition_id"] == found["id"]]:
        del triggers[key]  # its triggers go with it
    return Reply(200, {"message": "Pipeline definition deleted."})


# ---- seed --------------------------------------------------------------------------------


def seed_repository(world: World, project: Record, value: Any, where: str) -> None:
    """`repository: {full_name, external_id}`: the project's repository, known to its org."""
    if not isinstance(value, dict) or set(value) != {"full_name", "external_id"}:
        raise ValueError("needs exactly full_name and external_id")
    full_name, repo_id = value["full_name"], str(value["external_id"])
    if not isinstance(full_name, str) or full_name.count("/") != 1:
        raise ValueError("full_name is owner/name")
    world.table(REPOS)[repo_id] = {
        "external_id": repo_id,
        "full_name": full_name,
        "organization_id": project["organization_id"],
        "project_id": None,  # a repository outlives a project deleted in CircleCI
    }


def seed_repo_id(world: World, project: Record, raw: Any) -> str:
    """A seed's `repo`: a full name known to the org, or {full_name, external_id}."""
    if isinstance(raw, dict):
        seed_repository(world, project, raw, "repo")
        return str(raw["external_id"])
    for repo_id, repo in world.table(REPOS).items():
        same_org = repo["organization_id"] == project["organization_id"]
        if same_org and isinstance(raw, str) and repo["full_name"].lower() == raw.lower():
            return repo_id
    raise ValueError("repo names no repository of the seed (declare it with `repository`)")


def seed_definitions(world: World, project: Record, value: Any, where: str) -> None:
    from reconciler.emulator.handlers import triggers  # its seed reads these records

    if not isinstance(value, dict):
        raise ValueError("a mapping: definition name -> definition")
    for name, raw in value.items():
        if not isinstance(raw, dict) or not {"config_source", "checkout_source"} <= set(raw):
            raise ValueError(f"{name}: needs config_source and checkout_source")
        extra = set(raw) - {"description", "config_source", "checkout_source", "triggers"}
        if extra:
            raise ValueError(f"{name}: unknown key {sorted(extra)[0]}")
        config, checkout = raw["config_source"], raw["checkout_source"]
        provider = config.get("provider", "github_app")
        fields = {
            "name": str(name),
            "description": str(raw.get("description") or ""),
            "config_provider": provider,
            "config_repo": None
            if provider == "circleci"
            else seed_repo_id(world, project, config.get("repo")),
            "file_path": str(config.get("file_path") or ".circleci/config.yml"),
            "checkout_provider": checkout.get("provider", "github_app"),
            "checkout_repo": seed_repo_id(world, project, checkout.get("repo")),
        }
        d = add(world, project, fields)
        for tname, traw in (raw.get("triggers") or {}).items():
            triggers.seed_trigger(world, project, d, str(tname), traw)


ROUTES: list[Route] = [
    ("/v2/projects/<project_id>/pipeline-definitions", "GET", list_definitions),
    ("/v2/projects/<project_id>/pipeline-definitions", "POST", create_definition),
    ("/v2/projects/<project_id>/pipeline-definitions/<definition_id>", "GET", get_definition),
    ("/v2/projects/<project_id>/pipeline-definitions/<definition_id>", "PATCH", update_definition),
    ("/v2/projects/<project_id>/pipeline-definitions/<definition_id>", "DELETE", delete_definition),
]

SEED_KEYS = [
    SeedKey(level="project", key="repository", load=seed_repository),
    SeedKey(level="project", key="pipeline_definitions", load=seed_definitions),
]
