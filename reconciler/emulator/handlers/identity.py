"""Who am I, which organizations, their groups, and projects (get, create, v1.1 follow/list)."""

from __future__ import annotations

from typing import Any

from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import SHORT_VCS, is_uuid, key_uuid, split_slug
from reconciler.emulator.world import Record, World

PROVIDER = {"github": "GitHub", "bitbucket": "Bitbucket", "circleci": "CircleCI"}


def project_view(world: World, project: Record) -> dict[str, Any]:
    org = world.organizations[project["organization_id"]]
    return {
        "slug": project["slug"],
        "name": project["name"],
        "id": project["id"],
        "organization_name": org["name"],
        "organization_slug": org["slug"],
        "organization_id": org["id"],
        "vcs_info": {
            "vcs_url": project["vcs_url"],
            "provider": PROVIDER[org["vcs_type"]],
            "default_branch": project["default_branch"],
        },
    }


def me(ctx: Ctx) -> Reply:
    return Reply(200, {k: ctx.user[k] for k in ("id", "login", "name", "avatar_url")})


def collaborations(ctx: Ctx) -> Reply:
    # A bare array, and `vcs_type` with an underscore: what the live API sends (not the spec).
    orgs = [ctx.world.organizations[oid] for oid in ctx.user["organizations"]]
    body = [
        {
            "vcs_type": o["vcs_type"],
            "slug": o["slug"],
            "name": o["name"],
            # The spec makes `id` nullable; a seed org with `listed_without_id` shows none.
            "id": None if o.get("listed_without_id") else o["id"],
            "avatar_url": f"https://avatars.example.com/org/{o['name']}",
        }
        for o in orgs
    ]
    return Reply(200, body)


def get_org(ctx: Ctx, org: str) -> Reply:
    found = ctx.org(org)
    if found.get("listed_without_id"):  # as a CircleCI without this newer route (README)
        raise Fail(404, "Organization does not exist.")
    return Reply(200, {k: found[k] for k in ("id", "name", "slug", "vcs_type")})


def create_project(ctx: Ctx, org: str) -> Reply:
    found = ctx.org(org)
    data = ctx.object_body({"name"}, {"name"}, strict=False)
    name = data["name"]
    if not isinstance(name, str) or not name.strip() or "/" in name:
        raise Fail(400, "JSON field 'name' is of incorrect type.")
    if ctx.world.project_named(found, name):
        raise Fail(409, "Project already exists.")
    return Reply(200, project_view(ctx.world, ctx.world.add_project(found, name)))


def groups(ctx: Ctx, org_id: str) -> Reply:
    org = _groups_org(ctx, org_id)
    limit = ctx.request.args.get("limit", ctx.page_size, type=int) or ctx.page_size
    items = sorted(org["groups"].values(), key=lambda g: g["name"])
    body = ctx.page([dict(g) for g in items], f"groups:{org['id']}", max(1, limit))
    body["total_count"] = len(items)
    return Reply(200, body)


def get_project(ctx: Ctx, slug: str) -> Reply:
    parts = split_slug(slug)
    if parts and parts[0] == "circleci" and key_uuid(parts[2]) is None:
        # circleci-cli PR #1647: a standalone slug with a name for a key answers 400, not 404.
        raise Fail(400, "Invalid project slug.")
    return Reply(200, project_view(ctx.world, ctx.project(slug)))


def delete_project(ctx: Ctx, slug: str) -> Reply:
    ctx.world.delete_project(ctx.project(slug))
    return Reply(200, {"message": "Project deleted."})


def _member_org(ctx: Ctx, org_id: str) -> Record:
    org = ctx.world.organizations.get(org_id.lower()) if is_uuid(org_id) else None
    if org is None or not ctx.member_of(org["id"]):
        raise Fail(404, "Organization does not exist.")
    return org


def _groups_org(ctx: Ctx, org_id: str) -> Record:
    """The groups API is for standalone organizations only (newer spec); a GitHub OAuth or
    Bitbucket org's security groups are its VCS teams, which restrictions name by id only.
    What such an org gets is unknown: the spec's 403 (README)."""
    org = _member_org(ctx, org_id)
    if org["vcs_type"] != "circleci":
        raise Fail(403, "Permission denied.")
    return org


def create_group(ctx: Ctx, org_id: str) -> Reply:
    org = _groups_org(ctx, org_id)
    data = ctx.object_body({"name", "description"}, {"name"})
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise Fail(400, "Unexpected request body provided.")
    if any(g["name"] == name for g in org["groups"].values()):
        raise Fail(409, f"Failed to create group, group {name} already exists.")
    group = ctx.world.add_group(org, name)
    group["description"] = str(data.get("description") or "")
    return Reply(201, dict(group))


def delete_group(ctx: Ctx, org_id: str, group_id: str) -> Reply:
    org = _groups_org(ctx, org_id)
    if group_id.lower() not in org["groups"]:
        raise Fail(404, "Group does not exist.")
    del org["groups"][group_id.lower()]
    return Reply(200, {"message": "Group deleted."})


# ---- API v1.1 ---------------------------------------------------------------------------
def v1_me(ctx: Ctx) -> Reply:
    return Reply(200, {"login": ctx.user["login"], "name": ctx.user["name"]})


def v1_projects(ctx: Ctx) -> Reply:
    """Only the projects the token's user follows (circleci-cli PR #1647: "a project created
    through the API is not followed")."""
    body = []
    for p in ctx.world.projects.values():
        if ctx.member_of(p["organization_id"]) and ctx.user["id"] in p.get("followers", []):
            org = ctx.world.organizations[p["organization_id"]]
            body.append(
                {
                    "username": org["name"],
                    "reponame": p["name"],
                    "vcs_type": org["vcs_type"],
                    "vcs_url": p["vcs_url"],
                    "default_branch": p["default_branch"],
                    "following": True,
                }
            )
    return Reply(200, body)


def v1_project(ctx: Ctx, vcs: str, org: str, repo: str) -> Record:
    """v1.1 answers 404 for an unknown project and 403 for one the token cannot administer."""
    project = ctx.world.find_project(f"{vcs}/{org}/{repo}")
    if project is None:
        raise Fail(404, "Project not found")
    if not ctx.member_of(project["organization_id"]):
        raise Fail(403, "Permission denied")
    return project


def v1_follow(ctx: Ctx, vcs: str, org: str, repo: str) -> Reply:
    short = SHORT_VCS.get(vcs)
    found = ctx.world.find_org(f"{vcs}/{org}") if short in ("gh", "bb") else None
    if found is None or not ctx.member_of(found["id"]):
        raise Fail(404, "Project not found")
    project = ctx.world.project_named(found, repo) or ctx.world.add_project(found, repo)
    followers = project.setdefault("followers", [])
    if ctx.user["id"] not in followers:  # following twice changes nothing
        followers.append(ctx.user["id"])
    return Reply(200, {"following": True, "workflow": False, "first_build": None})


def v1_location(ctx: Ctx, vcs: str, org: str, repo: str, tail: str) -> dict[str, str]:
    return {"Location": f"{ctx.request.host_url}api/v1.1/project/{vcs}/{org}/{repo}/{tail}"}


ROUTES: list[Route] = [
    ("/v2/me", "GET", me),
    ("/v2/me/collaborations", "GET", collaborations),
    ("/v2/organization/<org:org>", "GET", get_org),
    ("/v2/organization/<org:org>/project", "POST", create_project),
    ("/v2/organizations/<org_id>/groups", "GET", groups),
    ("/v2/organizations/<org_id>/groups", "POST", create_group),
    ("/v2/organizations/<org_id>/groups/<group_id>", "DELETE", delete_group),
    ("/v2/project/<slug:slug>", "GET", get_project),
    ("/v2/project/<slug:slug>", "DELETE", delete_project),
    ("/v1.1/me", "GET", v1_me),
    ("/v1.1/projects", "GET", v1_projects),
    ("/v1.1/project/<vcs>/<org>/<repo>/follow", "POST", v1_follow),
]
