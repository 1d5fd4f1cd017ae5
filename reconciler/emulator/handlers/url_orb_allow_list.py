"""The organization's URL orb allow-list (ENDPOINTS.md §15): list, create, delete; no update
route. The list is `{"items": [...]}` with no page token; POST and DELETE answer 200
`{id, message}`. CircleCI's documentation: a prefix "must use HTTPS and end with /"; auth is
one of none, github-oauth, github-app, bitbucket-oauth.

Our choices where nothing is recorded (stricter, never looser, than CircleCI as far as we
know), in the `{"message": ...}` family these routes declare: a bad prefix or auth, a missing
or unknown field, a blank name, or a name already on the list is 400; an entry id that is not
a UUID is 400 and one not on the list 404; a feature turned off for the organization (seed
`features_off: [url_orb_allow_list]`) is 403 with a message saying so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from reconciler.emulator.handlers import features
from reconciler.emulator.http import Ctx, Fail, Reply, Route, SeedKey
from reconciler.emulator.util import is_uuid, new_id
from reconciler.emulator.world import Record, World

FEATURE = "url_orb_allow_list"
features.register(FEATURE)
TABLE = "url_orb_allow_list"
AUTH = ("none", "github-oauth", "github-app", "bitbucket-oauth")
FIELDS = {"name", "prefix", "auth"}


def check(world: World, org: Record, data: dict[str, Any]) -> dict[str, str]:
    """The entry's fields, or Fail(400) with CircleCI-like words."""
    name, prefix, auth = data.get("name"), data.get("prefix"), data.get("auth")
    if not isinstance(name, str) or not name.strip():
        raise Fail(400, "Field 'name' must be a non-empty string.")
    parts = urlsplit(prefix) if isinstance(prefix, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise Fail(400, "Field 'prefix' must be an https URL.")
    if not str(prefix).endswith("/"):
        raise Fail(400, "Field 'prefix' must end with '/'.")
    if auth not in AUTH:
        raise Fail(400, f"Field 'auth' must be one of {', '.join(AUTH)}.")
    if any(e["name"] == name for e in _entries(world, org)):
        raise Fail(400, "An allow-list entry with this name already exists.")
    return {"name": name, "prefix": prefix, "auth": auth}


def _entries(world: World, org: Record) -> list[Record]:
    return [e for e in world.table(TABLE).values() if e["organization_id"] == org["id"]]


def add(world: World, org: Record, fields: dict[str, str]) -> Record:
    record = {"id": new_id(), "organization_id": org["id"], **fields}
    world.table(TABLE)[record["id"]] = record
    return record


def _org(ctx: Ctx, org: str) -> Record:
    found = ctx.org(org)
    if not features.available(found, FEATURE):
        raise Fail(403, "URL orbs are not available for this organization's plan.")
    return found


def view(entry: Record) -> dict[str, Any]:
    return {k: entry[k] for k in ("id", "name", "prefix", "auth")}


def list_entries(ctx: Ctx, org: str) -> Reply:
    return Reply(200, {"items": [view(e) for e in _entries(ctx.world, _org(ctx, org))]})


def create_entry(ctx: Ctx, org: str) -> Reply:
    found = _org(ctx, org)
    data = ctx.object_body(FIELDS, FIELDS)
    entry = add(ctx.world, found, check(ctx.world, found, data))
    return Reply(200, {"id": entry["id"], "message": "Created."})


def delete_entry(ctx: Ctx, org: str, entry_id: str) -> Reply:
    found = _org(ctx, org)
    if not is_uuid(entry_id):
        raise Fail(400, "Invalid allow-list entry id.")
    entry = ctx.world.table(TABLE).get(entry_id.lower())
    if entry is None or entry["organization_id"] != found["id"]:
        raise Fail(404, "Allow-list entry not found.")
    del ctx.world.table(TABLE)[entry["id"]]
    return Reply(200, {"id": entry["id"], "message": "Deleted."})


def _load(world: World, org: Record, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ValueError("must be a mapping: entry name -> {prefix, auth}")
    for name, body in value.items():
        if not isinstance(body, dict) or set(body) - {"prefix", "auth"}:
            raise ValueError("each entry is a mapping of prefix and auth")
        try:
            add(world, org, check(world, org, {"name": str(name), "auth": "none", **body}))
        except Fail:
            raise ValueError(
                "each entry needs an https prefix ending in '/', an auth of "
                f"{', '.join(AUTH)}, and a name of its own"
            ) from None


SEED_KEYS = [SeedKey(level="organization", key="url_orb_allow_list", load=_load)]
BASE = "/v2/organization/<org:org>/url-orb-allow-list"
ROUTES: list[Route] = [
    (BASE, "GET", list_entries),
    (BASE, "POST", create_entry),
    (BASE + "/<entry_id>", "DELETE", delete_entry),
]
