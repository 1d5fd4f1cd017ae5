"""Context restrictions: project, expression and group; no update route (delete + create)."""

from __future__ import annotations

from typing import Any

from reconciler.emulator.handlers.contexts import find_context
from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import is_uuid, new_id
from reconciler.emulator.world import Record, World

CANNOT = "This restriction cannot be applied to this context."
NO_PROJECT = "Project does not exist, or user does not have access to this project."


def view(world: World, c: Record, r: Record, with_context: bool = True) -> dict[str, Any]:
    kind, value = r["restriction_type"], r["restriction_value"]
    # The name of what it points at; once that is deleted, the name it had (our choice).
    name = r.get("name", "")
    if kind == "project":
        project = world.projects.get(value)
        name = project["name"] if project else name
    elif kind == "group":
        group = world.organizations[c["organization_id"]]["groups"].get(value)
        name = group["name"] if group else name
    out: dict[str, Any] = {"context_id": c["id"]} if with_context else {}
    out["id"] = r["id"]
    if kind == "project":
        out["project_id"] = value  # deprecated duplicate of restriction_value, still sent
    out.update({"name": name, "restriction_type": kind, "restriction_value": value})
    return out


def check_value(world: World, c: Record, kind: Any, value: Any) -> str:
    """The stored value for a valid restriction, else the 400 CircleCI answers."""
    if kind not in ("project", "expression", "group") or not isinstance(value, str):
        raise Fail(400, CANNOT)
    if kind == "expression":
        if not value.strip():
            raise Fail(400, CANNOT)
        return value
    value = value.lower()
    if kind == "project":
        project = world.projects.get(value) if is_uuid(value) else None
        if project is None or project["organization_id"] != c["organization_id"]:
            raise Fail(400, NO_PROJECT)
        return value
    if not is_uuid(value) or value not in world.organizations[c["organization_id"]]["groups"]:
        raise Fail(400, CANNOT)
    return value


def add(world: World, c: Record, kind: str, value: str) -> Record:
    for r in c["restrictions"]:
        if (r["restriction_type"], r["restriction_value"]) == (kind, value):
            raise Fail(409, "The restriction you're trying to add already exists.")
    record = {"id": new_id(), "restriction_type": kind, "restriction_value": value}
    record["name"] = view(world, c, record)["name"] if kind != "expression" else ""
    c["restrictions"].append(record)
    return record


def list_restrictions(ctx: Ctx, context_id: str) -> Reply:
    c = find_context(ctx, context_id, invalid_is_400=True)
    items = [view(ctx.world, c, r) for r in c["restrictions"]]
    return Reply(200, ctx.whole(items))


def create_restriction(ctx: Ctx, context_id: str) -> Reply:
    c = find_context(ctx, context_id, invalid_is_400=True)
    data = ctx.object_body(
        {"restriction_type", "restriction_value"}, {"restriction_type", "restriction_value"}
    )
    kind = data["restriction_type"]
    value = check_value(ctx.world, c, kind, data["restriction_value"])
    record = add(ctx.world, c, kind, value)
    # The create answer has no context_id (unlike the list items).
    return Reply(201, view(ctx.world, c, record, with_context=False))


def delete_restriction(ctx: Ctx, context_id: str, restriction_id: str) -> Reply:
    c = find_context(ctx, context_id, invalid_is_400=True)
    if not is_uuid(restriction_id):
        raise Fail(400, "restriction_id is invalid.")
    for r in c["restrictions"]:
        if r["id"] == restriction_id.lower():
            c["restrictions"].remove(r)
            return Reply(200, {"message": "Context restriction deleted."})
    raise Fail(404, "Restriction not found.")


BASE = "/v2/context/<context_id>/restrictions"
ROUTES: list[Route] = [
    (BASE, "GET", list_restrictions),
    (BASE, "POST", create_restriction),
    (BASE + "/<restriction_id>", "DELETE", delete_restriction),
]
