"""Outbound webhooks (project scope only); the signing secret never comes back."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import validate
from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import is_uuid, new_id
from reconciler.emulator.world import Record, World

MASK = "****"
WRITABLE = {"name", "events", "url", "verify-tls", "signing-secret"}


def view(w: Record) -> dict[str, Any]:
    return {
        "id": w["id"],
        "name": w["name"],
        "url": w["url"],
        "verify-tls": w["verify_tls"],
        "signing-secret": MASK,
        "scope": {"id": w["project_id"], "type": "project"},
        "events": list(w["events"]),
        "created-at": w["created_at"],
        "updated-at": w["updated_at"],
    }


def add(world: World, project: Record, fields: dict[str, Any]) -> Record:
    now = world.clock.now()
    record = {
        "id": new_id(),
        "project_id": project["id"],
        "name": fields["name"],
        "url": fields["url"],
        "events": fields["events"],
        "verify_tls": fields["verify-tls"],
        "signing_secret": fields["signing-secret"],
        "created_at": now,
        "updated_at": now,
    }
    world.webhooks[record["id"]] = record
    return record


def _scope_project(ctx: Ctx, scope_id: Any) -> Record:
    project = ctx.world.projects.get(scope_id.lower()) if isinstance(scope_id, str) else None
    if project is None or not ctx.member_of(project["organization_id"]):
        raise Fail(404, "Project not found")
    return project


def list_webhooks(ctx: Ctx) -> Reply:
    scope_id = ctx.request.args.get("scope-id")
    scope_type = ctx.request.args.get("scope-type")
    if not scope_id or not scope_type:
        raise Fail(400, "Query parameters 'scope-id' and 'scope-type' are required.")
    if scope_type != "project":
        raise Fail(400, "Query parameter 'scope-type' must be 'project'.")
    if not is_uuid(scope_id):
        raise Fail(400, "Query parameter 'scope-id' must be a UUID.")
    project = _scope_project(ctx, scope_id)
    found = [w for w in ctx.world.webhooks.values() if w["project_id"] == project["id"]]
    return Reply(200, ctx.whole([view(w) for w in found]))


def create_webhook(ctx: Ctx) -> Reply:
    data = ctx.object_body(WRITABLE | {"scope"}, WRITABLE | {"scope"})
    fields = validate.webhook_fields(data)
    scope = data["scope"]
    if (
        not isinstance(scope, dict)
        or scope.get("type") != "project"
        or set(scope) != {"id", "type"}
    ):
        raise Fail(400, 'Field \'scope\' must be {"id": <project id>, "type": "project"}.')
    if not is_uuid(str(scope["id"])):
        raise Fail(400, "Field 'scope.id' must be a UUID.")
    project = _scope_project(ctx, scope["id"])
    return Reply(201, view(add(ctx.world, project, fields)))


def _find(ctx: Ctx, webhook_id: str) -> Record:
    found = ctx.world.webhooks.get(webhook_id.lower()) if is_uuid(webhook_id) else None
    if found is None:
        raise Fail(404, "Webhook not found.")
    if not ctx.member_of(ctx.world.projects[found["project_id"]]["organization_id"]):
        raise Fail(404, "Webhook not found.")
    return found


def get_webhook(ctx: Ctx, webhook_id: str) -> Reply:
    return Reply(200, view(_find(ctx, webhook_id)))


def update_webhook(ctx: Ctx, webhook_id: str) -> Reply:
    found = _find(ctx, webhook_id)
    fields = validate.webhook_fields(ctx.object_body(WRITABLE))
    if not fields:
        raise Fail(400, "No JSON fields found.")
    # Our choice where the spec is silent (README): PUT replaces the webhook, so a body
    # without name, events or url is refused and a left-out secret or verify-tls is reset.
    if not {"name", "events", "url"} <= set(fields):
        raise Fail(400, "Missing one or more JSON fields.")
    for key, value in {"verify-tls": True, "signing-secret": "", **fields}.items():
        found[key.replace("-", "_")] = value
    found["updated_at"] = ctx.world.clock.now()
    # CircleCI's provider: the signing secret "may not be returned"; our choice (README) is
    # that an update's answer shows none, so a client cannot count on the echo.
    return Reply(200, {**view(found), "signing-secret": ""})


def delete_webhook(ctx: Ctx, webhook_id: str) -> Reply:
    del ctx.world.webhooks[_find(ctx, webhook_id)["id"]]
    return Reply(200, {"message": "Webhook deleted."})


ROUTES: list[Route] = [
    ("/v2/webhook", "GET", list_webhooks),
    ("/v2/webhook", "POST", create_webhook),
    ("/v2/webhook/<webhook_id>", "GET", get_webhook),
    ("/v2/webhook/<webhook_id>", "PUT", update_webhook),
    ("/v2/webhook/<webhook_id>", "DELETE", delete_webhook),
]
