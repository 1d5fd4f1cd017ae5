"""Contexts and their environment variables (values are never returned)."""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import is_uuid
from reconciler.emulator.world import Record

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_VALUE = 32 * 1024


def find_context(ctx: Ctx, context_id: str, invalid_is_400: bool = False) -> Record:
    if not is_uuid(context_id):
        if invalid_is_400:
            raise Fail(400, "context_id is invalid.")
        raise Fail(404, "Context not found.")
    cid = context_id.lower()
    if cid in ctx.world.deleted_contexts and ctx.request.method in ("GET", "DELETE"):
        # Recorded for GETs on a deleted context; a repeated DELETE meets it too (README).
        raise Fail(403, "Permission denied.")
    found = ctx.world.contexts.get(cid)
    if found is None or not ctx.member_of(found["organization_id"]):
        raise Fail(404, "Context not found.")
    return found


def _view(c: Record) -> dict[str, Any]:
    return {"id": c["id"], "name": c["name"], "created_at": c["created_at"]}


def list_contexts(ctx: Ctx) -> Reply:
    # No owner, or an owner we cannot see: the spec's only fit is 404 (no 400 is declared).
    org = ctx.org(ctx.request.args.get("owner-id") or ctx.request.args.get("owner-slug") or "")
    found = [c for c in ctx.world.contexts.values() if c["organization_id"] == org["id"]]
    items = [_view(c) for c in sorted(found, key=lambda c: c["name"])]
    return Reply(200, ctx.page(items, f"contexts:{org['id']}"))


def _owner(ctx: Ctx, owner: Any) -> Record:
    if not isinstance(owner, dict):
        raise Fail(400, "JSON field 'owner' is of incorrect type.")
    unknown = sorted(set(owner) - {"id", "slug", "type"})
    if unknown:
        raise Fail(400, f"Unexpected JSON field '{unknown[0]}'.")
    if owner.get("type", "organization") not in ("organization", "account"):
        raise Fail(400, "JSON field 'type' is of incorrect type.")
    ref = owner.get("id") or owner.get("slug")
    if not isinstance(ref, str):
        raise Fail(400, "Missing one or more JSON fields.")
    return ctx.org(ref)


def create_context(ctx: Ctx) -> Reply:
    data = ctx.object_body({"name", "owner"}, {"name", "owner"})
    name = data["name"]
    if not isinstance(name, str):
        raise Fail(400, "JSON field 'name' is of incorrect type.")
    if not name.strip() or name != name.strip() or len(name) > 200 or "\n" in name:
        raise Fail(400, "Invalid context name.")
    org = _owner(ctx, data["owner"])
    for c in ctx.world.contexts.values():
        if c["organization_id"] == org["id"] and c["name"] == name:
            raise Fail(409, "A context already exists with this name")
    return Reply(200, _view(ctx.world.add_context(org, name)))


def get_context(ctx: Ctx, context_id: str) -> Reply:
    return Reply(200, _view(find_context(ctx, context_id)))


def delete_context(ctx: Ctx, context_id: str) -> Reply:
    ctx.world.delete_context(find_context(ctx, context_id))
    return Reply(200, {"message": "Context deleted."})


def _var(c: Record, name: str) -> dict[str, Any]:
    var = c["env_vars"][name]
    return {
        "variable": name,
        "created_at": var["created_at"],
        "updated_at": var["updated_at"],
        "context_id": c["id"],
    }


def list_vars(ctx: Ctx, context_id: str) -> Reply:
    c = find_context(ctx, context_id)
    items = [_var(c, name) for name in sorted(c["env_vars"])]
    return Reply(200, ctx.page(items, f"context-vars:{c['id']}"))


def put_var(ctx: Ctx, context_id: str, name: str) -> Reply:
    c = find_context(ctx, context_id)
    if not NAME.match(name) or len(name) > 300:
        raise Fail(400, "Invalid environment variable name.")
    value = ctx.object_body({"value"}, {"value"})["value"]
    if not isinstance(value, str):
        raise Fail(400, "JSON field 'value' is of incorrect type.")
    if len(value) > MAX_VALUE:
        raise Fail(400, "Environment variable value is too long.")
    now = ctx.world.clock.now()
    old = c["env_vars"].get(name)
    c["env_vars"][name] = {
        "value": value,
        "created_at": old["created_at"] if old else now,
        "updated_at": now,
    }
    return Reply(200, _var(c, name))


def delete_var(ctx: Ctx, context_id: str, name: str) -> Reply:
    c = find_context(ctx, context_id)
    if c["env_vars"].pop(name, None) is None:
        raise Fail(404, "Environment variable not found.")
    return Reply(200, {"message": "Environment variable deleted."})


VARS = "/v2/context/<context_id>/environment-variable"
ROUTES: list[Route] = [
    ("/v2/context", "GET", list_contexts),
    ("/v2/context", "POST", create_context),
    ("/v2/context/<context_id>", "GET", get_context),
    ("/v2/context/<context_id>", "DELETE", delete_context),
    (VARS, "GET", list_vars),
    (VARS + "/<name>", "PUT", put_var),
    (VARS + "/<name>", "DELETE", delete_var),
]
