"""Build a World from a seed (MANIFEST.md's shapes, literal values only) plus extra tokens.

Errors name the place in the seed, never a value (seeds hold secrets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import YAMLError

from reconciler.emulator import validate
from reconciler.emulator.handlers import (
    SEED_KEYS,
    checkout_keys,
    restrictions,
    schedules,
    webhooks,
)
from reconciler.emulator.http import Fail
from reconciler.emulator.util import is_uuid, key_uuid, org_slug, split_slug, uuid_key
from reconciler.emulator.world import DEFAULT_SETTINGS, Record, World

DEFAULT_SEED: dict[str, Any] = {"organizations": {"gh/acme": {}}}
IGNORED = {"create", "protect"}  # manifest-only keys, harmless in a seed made from a manifest
# Every key a seed may hold, per level (SEED.md documents each; a test holds them together).
TOP_KEYS = {"users", "organizations"}
USER_KEYS = {"login", "token", "organizations", "name", "github_authorized"}
ORG_KEYS = {"id", "name", "groups", "projects", "contexts", "listed_without_id"}
PROJECT_KEYS = {"id", "name", "default_branch", "settings", "env_vars", "checkout_keys"}
PROJECT_KEYS.update(("schedules", "webhooks"))
SCHEDULE_KEYS = {"description", "attribution_actor", "timetable", "parameters"}
WEBHOOK_KEYS = {"url", "events", "verify_tls", "signing_secret"}
CONTEXT_KEYS = {"env_vars", "restrictions"}
# Keys handler modules read (handlers.SEED_KEYS), by level.
EXTRA = {
    level: {k.key: k for k in SEED_KEYS if k.level == level}
    for level in ("project", "organization")
}
ORG_KEYS.update(EXTRA["organization"])
PROJECT_KEYS.update(EXTRA["project"])
RESTRICTION_KEYS = {"projects", "expressions", "groups"}


class SeedError(ValueError):
    """The seed does not describe a world the emulator can build."""


def _reason(exc: Exception) -> str:
    """The parser's own words, except where they would quote the seed's values."""
    if isinstance(exc, DuplicateKeyError):  # its text repeats both values
        return "a key is written twice in one mapping"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, OSError):
        return f"cannot be read: {exc.strerror or type(exc).__name__}"
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if not problem:
        return f"not a readable YAML seed ({type(exc).__name__})"
    return f"{problem} ({context})" if context else str(problem)


def read_seed(path: Path) -> dict[str, Any]:
    """The seed file as data; an error names file:line:col and the parser's reason."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        where = getattr(exc, "problem_mark", None)
        at = f":{where.line + 1}:{where.column + 1}" if where is not None else ""
        raise SeedError(f"{path}{at}: {_reason(exc)}") from None
    if not isinstance(data, dict):
        raise SeedError(f"{path}: a seed is a mapping with 'users' and 'organizations'")
    return data


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SeedError(f"seed {where}: expected a mapping")
    return value


def _keys(value: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(value) - allowed - IGNORED)
    if unknown:
        raise SeedError(f"seed {where}: unknown key '{unknown[0]}'")


def _literals(value: Any, where: str) -> dict[str, str]:
    out = _mapping(value, where)
    for name, item in out.items():
        if not isinstance(item, str):
            raise SeedError(f"seed {where}.{name}: must be a literal string")
    return out


def _checked(where: str, check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except Fail as exc:
        raise SeedError(f"seed {where}: {exc.message}") from None
    except SeedError:
        raise
    except ValueError as exc:
        raise SeedError(f"seed {where}: {exc}") from None


def build_world(seed: dict[str, Any] | None, tokens: list[str]) -> World:
    seed = DEFAULT_SEED if seed is None else seed
    _keys(seed, TOP_KEYS, "top level")
    world = World()
    orgs = {slug: _org(world, slug, _mapping(v, slug)) for slug, v in _org_entries(seed).items()}
    pending: list[tuple[Record, dict[str, Any]]] = []
    for slug, body in _org_entries(seed).items():
        for pslug, pbody in _mapping(body.get("projects"), f"{slug}.projects").items():
            pending.append((_project(world, orgs[slug], pslug, _mapping(pbody, pslug)), pbody))
    _users(world, seed.get("users"), orgs)
    add_token_users(world, tokens)
    for project, body in pending:
        # A seeded project was set up the usual way: every member of its org follows it.
        oid = project["organization_id"]
        project["followers"] = [u for u, r in world.users.items() if oid in r["organizations"]]
        _project_children(world, project, _mapping(body, project["slug"]))
    for slug, body in _org_entries(seed).items():
        for name, cbody in _mapping(body.get("contexts"), f"{slug}.contexts").items():
            _context(world, orgs[slug], str(name), _mapping(cbody, f"contexts.{name}"))
    # Handlers' keys last: every project, user and context exists by now.
    for project, body in pending:
        _extra(world, "project", project, _mapping(body, project["slug"]), project["slug"])
    for slug, body in _org_entries(seed).items():
        _extra(world, "organization", orgs[slug], body, slug)
    return world


def _extra(world: World, level: str, record: Record, body: dict[str, Any], where: str) -> None:
    for key, hook in EXTRA[level].items():
        if body.get(key) is not None:
            _checked(f"{where}.{key}", hook.load, world, record, body[key], f"{where}.{key}")


def _org_entries(seed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for ref, body in _mapping(seed.get("organizations"), "organizations").items():
        slug = org_slug(str(ref))
        if slug is None:
            raise SeedError(f"seed organizations.{ref}: not an org slug like gh/NAME")
        out[slug] = _mapping(body, slug)
    return out


def _org(world: World, slug: str, body: dict[str, Any]) -> Record:
    _keys(body, ORG_KEYS, slug)
    org_id = body.get("id")
    vcs, _, base = slug.partition("/")
    if vcs == "circleci":
        org_id = org_id or key_uuid(base)
        if not org_id or not is_uuid(str(org_id)) or uuid_key(str(org_id)) != base:
            raise SeedError(f"seed {slug}: circleci slugs are circleci/<base58 of the org id>")
    elif org_id is not None and not is_uuid(str(org_id)):
        raise SeedError(f"seed {slug}.id: must be a UUID")
    org = world.add_org(slug, str(org_id).lower() if org_id else None, str(body.get("name", "")))
    if body.get("listed_without_id") is True:
        org["listed_without_id"] = True
    groups = body.get("groups") or []
    # A list of names, or names mapped to fixed ids (a classic org's teams, named by id).
    for name, gid in groups.items() if isinstance(groups, dict) else dict.fromkeys(groups).items():
        if gid is not None and not is_uuid(str(gid)):
            raise SeedError(f"seed {slug}.groups.{name}: must be a UUID")
        world.add_group(org, str(name), str(gid).lower() if gid else None)
    return org


def _project(world: World, org: Record, ref: str, body: dict[str, Any]) -> Record:
    _keys(body, PROJECT_KEYS, ref)
    parts = split_slug(ref)
    if parts is None or f"{parts[0]}/{parts[1]}" != org["slug"]:
        raise SeedError(f"seed {ref}: not a project slug of {org['slug']}")
    project_id, name = body.get("id"), str(body.get("name", parts[2]))
    if parts[0] == "circleci":
        project_id = project_id or key_uuid(parts[2])
        if not project_id or uuid_key(str(project_id)) != parts[2]:
            raise SeedError(f"seed {ref}: circleci slugs end with the base58 of the project id")
    project = world.add_project(org, name, str(project_id).lower() if project_id else None)
    project["default_branch"] = str(body.get("default_branch", "main"))
    settings = _mapping(body.get("settings"), f"{ref}.settings")
    for key, value in settings.items():
        if key not in DEFAULT_SETTINGS:
            raise SeedError(f"seed {ref}.settings: unknown setting '{key}'")
        kind = list if key == "pr_only_branch_overrides" else bool
        if not isinstance(value, kind):
            raise SeedError(f"seed {ref}.settings.{key}: must be a {kind.__name__}")
        project["settings"][key] = value
    for name, value in _literals(body.get("env_vars"), f"{ref}.env_vars").items():
        project["env_vars"][name] = {"value": value, "created_at": world.clock.now()}
    return project


def _users(world: World, users: Any, orgs: dict[str, Record]) -> None:
    for i, entry in enumerate(users or []):
        entry = _mapping(entry, f"users[{i}]")
        _keys(entry, USER_KEYS, f"users[{i}]")
        if not isinstance(entry.get("login"), str) or not isinstance(entry.get("token"), str):
            raise SeedError(f"seed users[{i}]: needs a login and a token")
        ids = []
        for ref in entry.get("organizations") or []:
            slug = org_slug(str(ref))
            if slug not in orgs:
                raise SeedError(f"seed users[{i}].organizations: {ref} is not in the seed")
            ids.append(orgs[slug]["id"])
        user = world.add_user(entry["login"], entry["token"], ids, str(entry.get("name", "")))
        # false: the user never authorised GitHub, so user keys cannot be made for them.
        user["github_authorized"] = entry.get("github_authorized") is not False


def add_token_users(world: World, tokens: list[str]) -> None:
    """Each token not already known becomes a user of every organization."""
    for token in tokens:
        if world.user_by_token(token) is None:
            n = sum(1 for u in world.users.values() if u["login"].startswith("emulator-user"))
            login = "emulator-user" + (f"-{n + 1}" if n else "")
            world.add_user(login, token, list(world.organizations))


def _kebab(raw: dict[str, Any]) -> dict[str, Any]:
    """Manifest spelling (per_hour) to the API's (per-hour)."""
    return {k.replace("_", "-"): v for k, v in raw.items() if k not in IGNORED}


def _first_user(world: World, org_id: str) -> Record | None:
    return next((u for u in world.users.values() if org_id in u["organizations"]), None)


def _project_children(world: World, project: Record, body: dict[str, Any]) -> None:
    where, user = project["slug"], _first_user(world, project["organization_id"])
    for key in ("checkout_keys", "schedules"):
        if body.get(key) and where.startswith("circleci/"):
            raise SeedError(f"seed {where}.{key}: not available to standalone projects")
    for kind in body.get("checkout_keys") or []:
        if kind not in ("deploy-key", "user-key"):
            raise SeedError(f"seed {where}.checkout_keys: use deploy-key or user-key")
        key_type = checkout_keys.V2_TYPES[kind]
        checkout_keys.add_key(user, project, key_type, world.clock.now())
    for name, raw in _mapping(body.get("schedules"), f"{where}.schedules").items():
        raw = _mapping(raw, f"{where}.schedules.{name}")
        _keys(raw, SCHEDULE_KEYS, f"{where}.schedules.{name}")
        data = {k.replace("_", "-"): v for k, v in raw.items() if k not in IGNORED}
        data["timetable"] = {
            k.replace("_", "-"): v for k, v in _mapping(data.get("timetable"), name).items()
        }
        data.setdefault("attribution-actor", "current")
        fields = _checked(
            f"{where}.schedules.{name}", validate.schedule_fields, {**data, "name": name}
        )
        actor = "system" if fields["attribution-actor"] == "system" or user is None else user["id"]
        _checked(f"{where}.schedules.{name}", schedules.add, world, project, fields, actor)
    for name, raw in _mapping(body.get("webhooks"), f"{where}.webhooks").items():
        raw = _mapping(raw, f"{where}.webhooks.{name}")
        _keys(raw, WEBHOOK_KEYS, f"{where}.webhooks.{name}")
        data = {"verify-tls": True, "signing-secret": "", **_kebab(raw), "name": name}
        fields = _checked(f"{where}.webhooks.{name}", validate.webhook_fields, data)
        if set(fields) != {"name", "events", "url", "verify-tls", "signing-secret"}:
            raise SeedError(f"seed {where}.webhooks.{name}: needs url and events")
        webhooks.add(world, project, fields)


def _context(world: World, org: Record, name: str, body: dict[str, Any]) -> None:
    where = f"{org['slug']}.contexts.{name}"
    _keys(body, CONTEXT_KEYS, where)
    ctx = world.add_context(org, name)
    for var, value in _literals(body.get("env_vars"), f"{where}.env_vars").items():
        now = world.clock.now()
        ctx["env_vars"][var] = {"value": value, "created_at": now, "updated_at": now}
    wanted = _mapping(body.get("restrictions"), f"{where}.restrictions")
    _keys(wanted, RESTRICTION_KEYS, f"{where}.restrictions")
    for slug in wanted.get("projects") or []:
        project = world.find_project(str(slug))
        if project is None:
            raise SeedError(f"seed {where}.restrictions.projects: {slug} is not in the seed")
        _restrict(world, ctx, "project", project["id"], where)
    for expression in wanted.get("expressions") or []:
        _restrict(world, ctx, "expression", str(expression), where)
    groups = {g["name"]: gid for gid, g in org["groups"].items()}
    for group in wanted.get("groups") or []:
        _restrict(world, ctx, "group", groups.get(str(group), str(group)), where)


def _restrict(world: World, ctx: Record, kind: str, value: str, where: str) -> None:
    value = _checked(f"{where}.restrictions", restrictions.check_value, world, ctx, kind, value)
    _checked(f"{where}.restrictions", restrictions.add, world, ctx, kind, value)
