"""Everything an export shows, read from CircleCI in a few parallel rounds.

A collection CircleCI refuses to show (400, 403, 404: not available for this project type,
or not for this token) becomes `Unreadable` with the reason, so the manifest can leave it
out and say why; any other failure (auth, rate limit after retries, server) stops the export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.client.response import unexpected_shape
from reconciler.errors import ApiError, BadRequest, NotFound, PermissionDenied, ReconcilerError
from reconciler.manifest.names import base58_of_uuid, normalise_org, normalise_project, same_org

Json = dict[str, Any]
REFUSED = (BadRequest, PermissionDenied, NotFound)


@dataclass(frozen=True)
class Unreadable:
    reason: str


@dataclass
class LiveProject:
    slug: str
    id: str
    name: str = ""  # readable where the slug ends in an opaque key (standalone projects)
    reads: dict[str, Any] = field(default_factory=dict)  # collection -> data | Unreadable


@dataclass
class LiveContext:
    name: str
    id: str
    reads: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveOrg:
    slug: str
    id: str
    user_id: str
    projects: list[LiveProject]
    contexts: list[LiveContext]
    groups: dict[str, str] | Unreadable  # group id -> name
    # project id -> slug, for restrictions naming projects outside `projects`; None: unknown.
    other_projects: dict[str, str | None]


def _attempt(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except REFUSED as exc:
        return Unreadable(str(exc))


def _project(api: Any, org: Json, slug: str) -> LiveProject:
    body = api.get_project(slug)
    if body is None:
        raise NotFound(f"project {slug} does not exist in CircleCI or this token cannot see it")
    _identified("project", body)
    found = body.get("slug") or slug
    other = org["id"] and body.get("organization_id") not in (None, org["id"])
    if other or not same_org(found, org["slug"]):
        raise ReconcilerError(f"project {slug} is not in organization {org['slug']}")
    name = str(body.get("name") or "") if found.startswith("circleci/") else ""
    return LiveProject(slug=found, id=body["id"], name=name)


PROJECT_READS: dict[str, Callable[[Any, LiveProject], Any]] = {
    "settings": lambda api, p: api.get_project_settings(p.slug),
    "env_vars": lambda api, p: api.list_project_env_vars(p.slug),
    "checkout_keys": lambda api, p: api.list_checkout_keys(p.slug),
    "schedules": lambda api, p: api.list_schedules(p.slug),
    "webhooks": lambda api, p: api.list_webhooks(p.id),
}
# What standalone (circleci/) projects do not have, so export neither reads nor writes it.
NOT_STANDALONE = frozenset({"checkout_keys", "schedules"})
CONTEXT_READS: dict[str, Callable[[Any, LiveContext], Any]] = {
    "env_vars": lambda api, c: api.list_context_env_vars(c.id),
    "restrictions": lambda api, c: api.list_context_restrictions(c.id),
}
# What each listed object must carry to be written down: an export missing them would write
# an empty collection, which apply reads as "delete everything".
IDENTITY: dict[str, tuple[str, ...]] = {
    "project": ("id",),
    "context": ("id", "name"),
    "env_vars": ("name",),
    "checkout_keys": ("fingerprint",),
    "schedules": ("id", "name"),
    "webhooks": ("id", "name"),
    "restrictions": ("id",),
}


def _identified(what: str, items: Any) -> Any:
    for item in items if isinstance(items, list) else [items]:
        for key in IDENTITY.get(what, ()):
            if not isinstance(item, dict) or not isinstance(item.get(key), str) or not item[key]:
                raise ApiError(f"CircleCI listed a {what} without its {key}; nothing was exported")
    return items


def read_org(api: Any, org_slug: str, project_slugs: list[str]) -> LiveOrg:
    with unexpected_shape("nothing was exported"):
        return _read_org(api, org_slug, project_slugs)


def _read_org(api: Any, org_slug: str, project_slugs: list[str]) -> LiveOrg:
    org = api.get_organization(org_slug)
    org = {**org, "slug": org.get("slug") or normalise_org(org_slug) or org_slug}
    # `github/x/y` and `gh/x/y` are one project: read and write it once.
    slugs = sorted({normalise_project(s) or s for s in project_slugs})
    found = api.map(lambda s: _project(api, org, s), slugs)
    projects = list({p.slug: p for p in found}.values())
    # The spec lets /me/collaborations list an org with a null id: then go by its slug.
    org_ref = org["id"] or org["slug"]
    listed = _identified("context", api.list_contexts(org_ref))
    contexts = [LiveContext(c["name"], c["id"]) for c in listed]
    me = api.me()

    # One flat round of collection reads: (owner, collection, reader) per task.
    tasks: list[tuple[Any, str, Callable[[Any, Any], Any]]] = []
    tasks += [
        (p, k, f)
        for p in projects
        for k, f in PROJECT_READS.items()
        if not (k in NOT_STANDALONE and p.slug.startswith("circleci/"))
    ]
    tasks += [(c, k, f) for c in contexts for k, f in CONTEXT_READS.items()]
    results = api.map(lambda t: _attempt(lambda: _identified(t[1], t[2](api, t[0]))), tasks)
    for (owner, key, _), result in zip(tasks, results, strict=True):
        owner.reads[key] = result

    restrictions = [
        r
        for c in contexts
        if isinstance(c.reads["restrictions"], list)
        for r in c.reads["restrictions"]
    ]
    groups: dict[str, str] | Unreadable = {}
    if any(r["restriction_type"] == "group" for r in restrictions):
        listed = _attempt(lambda: api.list_groups(org_ref))
        groups = listed if isinstance(listed, Unreadable) else _group_names(listed)
    known = {p.id for p in projects}
    others = sorted(
        {
            (_value(r), r.get("name") or "")
            for r in restrictions
            if r["restriction_type"] == "project" and _value(r) not in known
        }
    )
    mapped = api.map(lambda pair: _other_project(api, org["slug"], *pair), others)
    return LiveOrg(
        slug=org["slug"],
        id=org["id"],
        user_id=me.get("id") or "",
        projects=sorted(projects, key=lambda p: p.slug),
        contexts=sorted(contexts, key=lambda c: c.name),
        groups=groups,
        other_projects={pid: slug for (pid, _), slug in zip(others, mapped, strict=True)},
    )


def _value(r: Json) -> str:
    return str(r.get("restriction_value") or "")


def _group_names(groups: list[Json]) -> dict[str, str]:
    return {g["id"]: g["name"] for g in groups if g.get("id") and g.get("name")}


def _other_project(api: Any, org_slug: str, project_id: str, name: str) -> str | None:
    """The slug of a project of this organization known only by id (and its name), if the
    token can read it: standalone slugs derive from the id, classic ones from the name."""
    if org_slug.startswith("circleci/"):
        try:
            guess = f"{org_slug}/{base58_of_uuid(project_id)}"
        except ValueError:
            return None
    elif name:
        guess = f"{org_slug}/{name}"
    else:
        return None
    body = _attempt(lambda: api.get_project(guess))
    if not isinstance(body, dict) or body.get("id") != project_id:
        return None
    return str(body.get("slug") or guess)
