"""Project environment variables, API v2 and v1.1 (pycircleci uses v1.1). Values are masked."""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.handlers.identity import v1_location, v1_project
from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import mask_env_value
from reconciler.emulator.world import Record

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
V2_MISSING = "Environment variable not found."
V1_MISSING = "env var not found"
# What v1.1 answered for a repository GitHub does not know: GitHub's error, as a JSON string.
GITHUB_404 = (
    '{"message":"Not Found","documentation_url":"https://developer.github.com/v3/repos/#get"}'
)


def _read_body(ctx: Ctx) -> tuple[str, str]:
    data = ctx.object_body({"name", "value"}, {"name", "value"}, strict=False)
    name, value = data["name"], data["value"]
    if not isinstance(name, str) or not NAME.match(name) or len(name) > 300:
        raise Fail(400, "Invalid environment variable name.")
    if not isinstance(value, str):
        raise Fail(400, "JSON field 'value' is of incorrect type.")
    return name, value


def _write(ctx: Ctx, project: Record, name: str, value: str) -> None:
    # POST on an existing name overwrites it (an upsert); created-at moves with the rewrite.
    project["env_vars"][name] = {"value": value, "created_at": ctx.world.clock.now()}


def _edn(iso: str) -> str:
    """The spec's example spelling of this timestamp, Clojure's EDN instant
    (`#joda/inst 2023-04-14T21:20:14+0000`); milliseconds kept so writes stay ordered."""
    return "#joda/inst " + iso.replace("Z", "+0000")


def _v2(name: str, var: dict[str, Any]) -> dict[str, Any]:
    created = _edn(var["created_at"])
    return {"name": name, "value": mask_env_value(var["value"]), "created-at": created}


def _sorted(project: Record) -> list[tuple[str, dict[str, Any]]]:
    return sorted(project["env_vars"].items())


def v2_list(ctx: Ctx, slug: str) -> Reply:
    project = ctx.project(slug)
    items = [_v2(n, v) for n, v in _sorted(project)]
    return Reply(200, ctx.whole(items))


def v2_create(ctx: Ctx, slug: str) -> Reply:
    project = ctx.project(slug)
    name, value = _read_body(ctx)
    _write(ctx, project, name, value)
    return Reply(201, _v2(name, project["env_vars"][name]))


def v2_get(ctx: Ctx, slug: str, name: str) -> Reply:
    var = ctx.project(slug)["env_vars"].get(name)
    if var is None:
        raise Fail(404, V2_MISSING)
    return Reply(200, _v2(name, var))


def v2_delete(ctx: Ctx, slug: str, name: str) -> Reply:
    project = ctx.project(slug)
    if project["env_vars"].pop(name, None) is None:
        raise Fail(404, V2_MISSING)
    return Reply(200, {"message": "Environment variable deleted."})


def _v1(name: str, var: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "value": mask_env_value(var["value"])}


def v1_list(ctx: Ctx, vcs: str, org: str, repo: str) -> Reply:
    project = v1_project(ctx, vcs, org, repo)
    return Reply(200, [_v1(n, v) for n, v in _sorted(project)])


def v1_create(ctx: Ctx, vcs: str, org: str, repo: str) -> Reply:
    found = ctx.world.find_org(f"{vcs}/{org}")
    if (
        ctx.world.find_project(f"{vcs}/{org}/{repo}") is None
        and found
        and ctx.member_of(found["id"])
    ):
        raise Fail(404, GITHUB_404)
    project = v1_project(ctx, vcs, org, repo)
    name, value = _read_body(ctx)
    _write(ctx, project, name, value)
    headers = v1_location(ctx, vcs, org, repo, f"envvar/{name}")
    return Reply(201, _v1(name, project["env_vars"][name]), headers)


def v1_get(ctx: Ctx, vcs: str, org: str, repo: str, name: str) -> Reply:
    var = v1_project(ctx, vcs, org, repo)["env_vars"].get(name)
    if var is None:
        raise Fail(404, V1_MISSING)
    return Reply(200, _v1(name, var))


def v1_delete(ctx: Ctx, vcs: str, org: str, repo: str, name: str) -> Reply:
    if v1_project(ctx, vcs, org, repo)["env_vars"].pop(name, None) is None:
        raise Fail(404, V1_MISSING)
    return Reply(200, {"message": "ok"})


V1 = "/v1.1/project/<vcs>/<org>/<repo>/envvar"
ROUTES: list[Route] = [
    ("/v2/project/<slug:slug>/envvar", "GET", v2_list),
    ("/v2/project/<slug:slug>/envvar", "POST", v2_create),
    ("/v2/project/<slug:slug>/envvar/<name>", "GET", v2_get),
    ("/v2/project/<slug:slug>/envvar/<name>", "DELETE", v2_delete),
    (V1, "GET", v1_list),
    (V1, "POST", v1_create),
    (V1 + "/<name>", "GET", v1_get),
    (V1 + "/<name>", "DELETE", v1_delete),
]
