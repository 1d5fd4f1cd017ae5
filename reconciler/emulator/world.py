"""The emulated CircleCI world: plain JSON-ready records behind one lock.

Records are dicts keyed by id so that /_emulator/state and the state file are a plain dump.
Handlers hold `lock` only while they read or write; the latency sleep happens outside it.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from reconciler.emulator.util import (
    VCS_TYPE,
    Clock,
    is_uuid,
    new_id,
    org_slug,
    split_slug,
    uuid_key,
)

Record = dict[str, Any]

# CircleCI's values for a project nobody has configured (README: where these come from).
DEFAULT_SETTINGS: dict[str, Any] = {
    "autocancel_builds": False,
    "build_fork_prs": False,
    "build_prs_only": False,
    "disable_ssh": False,
    "forks_receive_secret_env_vars": False,
    "oss": False,
    "set_github_status": True,
    "setup_workflows": False,
    "write_settings_requires_admin": False,
    "pr_only_branch_overrides": [],
}
SYSTEM_ACTOR = {
    "id": "d9b3fcaa-6032-405a-8c75-40079ce33c3e",
    "login": "system-actor",
    "name": "Scheduled",
    "avatar_url": None,
}
TABLES = ("users", "organizations", "projects", "contexts", "schedules", "webhooks")


class World:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.users: dict[str, Record] = {}
        self.organizations: dict[str, Record] = {}
        self.projects: dict[str, Record] = {}
        self.contexts: dict[str, Record] = {}
        self.schedules: dict[str, Record] = {}
        self.webhooks: dict[str, Record] = {}
        self.deleted_contexts: list[str] = []  # GETs on these answer 403, as CircleCI does
        # Tables a handler module keeps for itself (pipeline definitions, org settings...),
        # made on first use, so a new kind's routes need no change here.
        self.tables: dict[str, dict[str, Record]] = {}
        self._by_token: dict[str, str] = {}
        self._project_by_slug: dict[str, str] = {}

    # ---- persistence -------------------------------------------------------------------
    def dump(self, *, with_tokens: bool) -> dict[str, Any]:
        with self.lock:
            out = {name: copy.deepcopy(getattr(self, name)) for name in TABLES}
            out["deleted_contexts"] = list(self.deleted_contexts)
            out["tables"] = copy.deepcopy(self.tables)
        if not with_tokens:
            for user in out["users"].values():
                user.pop("token", None)
        return out

    @classmethod
    def load(cls, data: dict[str, Any]) -> World:
        world = cls()
        for name in TABLES:
            setattr(world, name, copy.deepcopy(data.get(name, {})))
        world.deleted_contexts = list(data.get("deleted_contexts", []))
        world.tables = copy.deepcopy(data.get("tables", {}))
        world.reindex()
        return world

    def reindex(self) -> None:
        self._by_token = {u["token"]: uid for uid, u in self.users.items() if u.get("token")}
        self._project_by_slug = {p["slug"]: pid for pid, p in self.projects.items()}

    def table(self, name: str) -> dict[str, Record]:
        """A handler's own table of records by id (kept in dumps and state files)."""
        return self.tables.setdefault(name, {})

    # ---- users and organizations -------------------------------------------------------
    def add_user(self, login: str, token: str, org_ids: list[str], name: str = "") -> Record:
        uid = new_id()
        user = {
            "id": uid,
            "login": login,
            "name": name or login,
            "avatar_url": f"https://avatars.example.com/{login}",
            "token": token,
            "organizations": list(org_ids),
        }
        self.users[uid] = user
        self._by_token[token] = uid
        return user

    def user_by_token(self, token: str) -> Record | None:
        uid = self._by_token.get(token)
        return self.users.get(uid) if uid else None

    def add_org(self, slug: str, org_id: str | None = None, name: str = "") -> Record:
        vcs, _, base = slug.partition("/")
        oid = org_id or new_id()
        org = {
            "id": oid,
            "name": name or base,
            "slug": slug,
            "vcs_type": VCS_TYPE[vcs],
            "groups": {},
        }
        self.organizations[oid] = org
        return org

    def find_org(self, ref: str) -> Record | None:
        """By UUID or slug (short or long vcs form, e.g. github/acme)."""
        if is_uuid(ref):
            return self.organizations.get(ref.lower())
        slug = org_slug(ref)
        return next((o for o in self.organizations.values() if o["slug"] == slug), None)

    def add_group(self, org: Record, name: str, group_id: str | None = None) -> Record:
        group = {"id": group_id or new_id(), "name": name, "description": ""}
        org["groups"][group["id"]] = group
        return group

    # ---- projects ----------------------------------------------------------------------
    def add_project(self, org: Record, name: str, project_id: str | None = None) -> Record:
        pid = project_id or new_id()
        vcs = org["slug"].split("/")[0]
        base = org["slug"].split("/")[1]
        slug = f"{org['slug']}/{uuid_key(pid) if vcs == 'circleci' else name}"
        urls = {
            "gh": f"https://github.com/{base}/{name}",
            "bb": f"https://bitbucket.org/{base}/{name}",
            "circleci": f"//circleci.com/{org['id']}/{pid}",
        }
        project = {
            "id": pid,
            "organization_id": org["id"],
            "name": name,
            "slug": slug,
            "default_branch": "main",
            "vcs_url": urls[vcs],
            "settings": copy.deepcopy(DEFAULT_SETTINGS),
            "env_vars": {},  # name -> {value, created_at}
            "checkout_keys": [],  # oldest first; the newest is the preferred one
            # Users following it (v1.1): an API-created project has none and never builds.
            "followers": [],
        }
        self.projects[pid] = project
        self._project_by_slug[slug] = pid
        return project

    def find_project(self, slug: str) -> Record | None:
        parts = split_slug(slug)
        if parts is None:
            return None
        pid = self._project_by_slug.get("/".join(parts))
        return self.projects.get(pid) if pid else None

    def delete_project(self, project: Record) -> None:
        """With its schedules, webhooks and the records of handlers' tables that name it
        (`project_id`); restrictions naming it stay, dangling."""
        pid = project["id"]
        del self.projects[pid]
        self._project_by_slug.pop(project["slug"], None)
        for table in (self.schedules, self.webhooks, *self.tables.values()):
            for key in [k for k, v in table.items() if v.get("project_id") == pid]:
                del table[key]

    def project_named(self, org: Record, name: str) -> Record | None:
        return next(
            (
                p
                for p in self.projects.values()
                if p["organization_id"] == org["id"] and p["name"] == name
            ),
            None,
        )

    # ---- contexts ----------------------------------------------------------------------
    def add_context(self, org: Record, name: str) -> Record:
        ctx = {
            "id": new_id(),
            "organization_id": org["id"],
            "name": name,
            "created_at": self.clock.now(),
            "env_vars": {},  # name -> {value, created_at, updated_at}
            "restrictions": [],  # {id, restriction_type, restriction_value}
        }
        self.contexts[ctx["id"]] = ctx
        return ctx

    def delete_context(self, ctx: Record) -> None:
        del self.contexts[ctx["id"]]
        self.deleted_contexts.append(ctx["id"])

    def actor(self, ref: str) -> dict[str, Any]:
        """A schedule's stored actor ('system' or a user id) as the API shows it."""
        user = self.users.get(ref)
        if ref == "system" or user is None:
            return dict(SYSTEM_ACTOR)
        return {k: user[k] for k in ("id", "login", "name", "avatar_url")}
