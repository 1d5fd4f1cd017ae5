"""Scheduled pipelines: kebab-case bodies; `attribution-actor` goes in, only `actor` comes out."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import validate
from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import is_uuid, new_id
from reconciler.emulator.world import Record, World

FIELDS = {"name", "description", "attribution-actor", "parameters", "timetable"}
REQUIRED = {"name", "timetable", "attribution-actor", "parameters"}
DUPLICATE = "A schedule with this name already exists for this project."


def view(world: World, s: Record) -> dict[str, Any]:
    return {
        "id": s["id"],
        "name": s["name"],
        "description": s["description"],
        "timetable": s["timetable"],
        "parameters": s["parameters"],
        "actor": world.actor(s["actor"]),
        "project-slug": world.projects[s["project_id"]]["slug"],
        "created-at": s["created_at"],
        "updated-at": s["updated_at"],
    }


def add(world: World, project: Record, fields: dict[str, Any], actor: str) -> Record:
    """Store a checked schedule; `actor` is 'system' or a user id."""
    for other in world.schedules.values():
        if other["project_id"] == project["id"] and other["name"] == fields["name"]:
            raise Fail(409, DUPLICATE)
    now = world.clock.now()
    record = {
        "id": new_id(),
        "project_id": project["id"],
        "name": fields["name"],
        "description": fields.get("description"),
        "timetable": fields["timetable"],
        "parameters": fields["parameters"],
        "actor": actor,
        "created_at": now,
        "updated_at": now,
    }
    world.schedules[record["id"]] = record
    return record


def _actor(ctx: Ctx, attribution: str) -> str:
    return "system" if attribution == "system" else ctx.user["id"]


def list_schedules(ctx: Ctx, slug: str) -> Reply:
    project = ctx.project(slug)
    found = [s for s in ctx.world.schedules.values() if s["project_id"] == project["id"]]
    items = [view(ctx.world, s) for s in found]
    return Reply(200, ctx.page(items, f"schedules:{project['id']}"))


STANDALONE = "Schedules are not yet available to projects that use GitLab or GitHub App."


def _writable(project: Record) -> Record:
    """The spec: schedule writes are "not yet available" to standalone projects (README)."""
    if project["slug"].startswith("circleci/"):
        raise Fail(400, STANDALONE)
    return project


def create_schedule(ctx: Ctx, slug: str) -> Reply:
    project = _writable(ctx.project(slug))
    fields = validate.schedule_fields(ctx.object_body(FIELDS, REQUIRED))
    record = add(ctx.world, project, fields, _actor(ctx, fields["attribution-actor"]))
    return Reply(201, view(ctx.world, record))


def _find(ctx: Ctx, schedule_id: str) -> Record:
    found = ctx.world.schedules.get(schedule_id.lower()) if is_uuid(schedule_id) else None
    if found is None:
        raise Fail(404, "Schedule not found.")
    project = ctx.world.projects[found["project_id"]]
    if not ctx.member_of(project["organization_id"]):
        raise Fail(404, "Schedule not found.")
    return found


def get_schedule(ctx: Ctx, schedule_id: str) -> Reply:
    return Reply(200, view(ctx.world, _find(ctx, schedule_id)))


def update_schedule(ctx: Ctx, schedule_id: str) -> Reply:
    found = _find(ctx, schedule_id)
    _writable(ctx.world.projects[found["project_id"]])
    data = ctx.object_body(FIELDS)
    if isinstance(data.get("timetable"), dict):
        # Our choice where the spec is silent (README): a PATCHed timetable is merged into
        # the stored one key by key, so a key left out keeps its old list.
        data["timetable"] = {**found["timetable"], **data["timetable"]}
    fields = validate.schedule_fields(data)
    if not fields:
        raise Fail(400, "No JSON fields found.")
    name = fields.get("name", found["name"])
    for other in ctx.world.schedules.values():
        same_project = other["project_id"] == found["project_id"]
        if same_project and other is not found and other["name"] == name:
            raise Fail(409, DUPLICATE)
    if "attribution-actor" in fields:
        found["actor"] = _actor(ctx, fields.pop("attribution-actor"))
    found.update(fields)  # sent parameters replace the stored ones whole
    found["updated_at"] = ctx.world.clock.now()
    return Reply(200, view(ctx.world, found))


def delete_schedule(ctx: Ctx, schedule_id: str) -> Reply:
    del ctx.world.schedules[_find(ctx, schedule_id)["id"]]
    return Reply(200, {"message": "Schedule deleted."})


ROUTES: list[Route] = [
    ("/v2/project/<slug:slug>/schedule", "GET", list_schedules),
    ("/v2/project/<slug:slug>/schedule", "POST", create_schedule),
    ("/v2/schedule/<schedule_id>", "GET", get_schedule),
    ("/v2/schedule/<schedule_id>", "PATCH", update_schedule),
    ("/v2/schedule/<schedule_id>", "DELETE", delete_schedule),
]
