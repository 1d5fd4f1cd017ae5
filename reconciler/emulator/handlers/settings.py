"""Project advanced settings: GET and partial PATCH, with the spec's exact 400 messages."""

from __future__ import annotations

import copy
import json
from typing import Any

from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.world import DEFAULT_SETTINGS, Record

MAX_OVERRIDES = 100


def _project(ctx: Ctx, slug: str) -> Record:
    # Only three raw segments reach this route on CircleCI: an escaped slug is a 404 there.
    if "%2f" in ctx.raw_path.lower():
        raise Fail(404, "Project not found.")
    project = ctx.world.find_project(slug)
    if project is None:
        raise Fail(404, "Project not found.")
    if not ctx.member_of(project["organization_id"]):
        raise Fail(403, "Permission denied.")
    return project


def _view(project: Record) -> dict[str, Any]:
    return {"advanced": copy.deepcopy(project["settings"])}


def get_settings(ctx: Ctx, slug: str) -> Reply:
    return Reply(200, _view(_project(ctx, slug)))


def _validate(data: Any, project: Record, vcs_type: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not data:
        raise Fail(400, "No JSON fields found.")
    for key in data:
        if key != "advanced":
            raise Fail(400, f"Unexpected JSON field '{key}'")
    advanced = data["advanced"]
    if not isinstance(advanced, dict):
        raise Fail(400, "JSON field 'advanced' is of incorrect type.")
    if not advanced:
        raise Fail(400, "No JSON fields found.")
    for key, value in advanced.items():
        if key not in DEFAULT_SETTINGS:
            raise Fail(400, f"Unknown advanced setting '{key}'.")
        if key == "pr_only_branch_overrides":
            if not isinstance(value, list) or not all(isinstance(b, str) for b in value):
                raise Fail(400, f"Setting '{key}' must be an array of strings.")
            if len(value) > MAX_OVERRIDES:
                raise Fail(400, f"Field '{key}' only supports up to {MAX_OVERRIDES} branches.")
        elif not isinstance(value, bool):
            raise Fail(400, f"Setting '{key}' must be boolean.")
    # `oss` cannot be written through this route: a body holding it is refused whole
    # (README: measured text on VCS projects, the spec's example text on standalone ones).
    if "oss" in advanced:
        if vcs_type == "circleci":
            raise Fail(400, "Feature flag 'oss' is not settable for this project.")
        raise Fail(400, "Unexpected field 'advanced.oss'")
    return advanced


def patch_settings(ctx: Ctx, slug: str) -> Reply:
    project = _project(ctx, slug)
    raw = ctx.request.get_data(cache=True)
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise Fail(400, "Invalid JSON body.") from None
    org = ctx.world.organizations[project["organization_id"]]
    advanced = _validate(data, project, org["vcs_type"])
    # Validation passed as a whole before anything is written: a 400 changes nothing.
    project["settings"].update(copy.deepcopy(advanced))
    return Reply(200, _view(project))


ROUTES: list[Route] = [
    ("/v2/project/<slug:slug>/settings", "GET", get_settings),
    ("/v2/project/<slug:slug>/settings", "PATCH", patch_settings),
]
