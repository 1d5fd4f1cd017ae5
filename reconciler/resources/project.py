"""Projects: looked up by slug, created only with `create: true`, never deleted.

In GitHub OAuth and Bitbucket organizations a project made through the v2 API is not
followed, and an unfollowed project does not build on push, so `create: true` also means
"followed by the token's user" (v1.1 follow, which CircleCI's own clients call after create
and which is safe to repeat). A run interrupted between the two is repaired by the next plan,
which reads the followed projects (v1.1 GET /projects) and plans the follow. Standalone
(`circleci/`) organizations have no follow.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from reconciler.client.api import Json
from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    Kind,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.errors import (
    ApiError,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    ReconcilerError,
)
from reconciler.manifest import Context, Project
from reconciler.manifest.names import same_org
from reconciler.resources.names import canonical_slug, manifest_projects, project_address

log = logging.getLogger("reconciler.resources.project")
_CLAIM = threading.Lock()  # project reads run in parallel


@dataclass
class ProjectIds:
    """Project slug -> id, as read or created: restrictions and webhooks name projects by id."""

    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Followed:
    """Lower-cased slugs of the projects the token's user follows (None: not read)."""

    slugs: set[str] | None = None


def _classic(slug: str) -> bool:
    return slug.startswith(("gh/", "bb/"))


def _must_follow(slug: str, declared: Project | None) -> bool:
    return _classic(slug) and declared is not None and declared.create


def _live(slug: str, body: Json) -> Resource:
    ids = {"id": body.get("id"), "slug": body.get("slug") or canonical_slug(slug)}
    if str(ids["slug"]).startswith("circleci/"):  # the slug ends in an opaque key
        ids["name"] = body.get("name") or ""
    return Resource(
        kind="project", address=project_address(slug), name=canonical_slug(slug), ids=ids
    )


def _check_org(ctx: FetchContext, slug: str, body: Json) -> None:
    """A project named on the command line (export) must be one of the organization's."""
    found = str(body.get("slug") or slug)
    # org_id falls back to the slug where CircleCI lists the organization with no id.
    known_id = ctx.org_id != ctx.org_slug
    other = known_id and body.get("organization_id") not in (None, ctx.org_id)
    if other or not same_org(found, ctx.org_slug):
        raise ReconcilerError(f"project {slug} is not in organization {ctx.org_slug}")


class ProjectKind(Kind):
    name = "project"
    label = "project"
    managed = False
    collection = "projects"

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = []
        for slug, declared in manifest_projects(ctx.manifest).items():
            out.append(
                Resource(
                    kind=self.name,
                    address=project_address(slug),
                    name=slug,
                    fields={"followed": True} if _must_follow(slug, declared) else {},
                    protect=True,  # projects are never deleted
                )
            )
        return out, []  # no scope: a live project outside the manifest is never touched

    def fetch_units(self, ctx: FetchContext) -> list[Callable[[], list[Resource]]]:
        wanted = manifest_projects(ctx.manifest)
        # Projects named only in a restriction are read for their id, not managed.
        extra = {canonical_slug(s) for c in ctx.manifest.contexts.values() for s in _restricted(c)}
        slugs = sorted(wanted) + sorted(extra - set(wanted))
        units: list[Callable[[], list[Resource]]] = [
            partial(self._read, ctx, slug, wanted.get(slug)) for slug in slugs
        ]
        if any(_must_follow(s, p) for s, p in wanted.items()):
            units.append(partial(self._read_followed, ctx))
        return units

    def _read_followed(self, ctx: FetchContext) -> list[Resource]:
        try:
            ctx.facts(Followed).slugs = {s.lower() for s in ctx.api.followed_projects()}
        except (NotFound, PermissionDenied, BadRequest):
            log.info("the followed projects cannot be read; follows are not checked")
        return []

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """Whether each classic project is followed is known once both reads are done; when
        the list could not be read, nothing is planned (create still follows)."""
        known = ctx.facts(Followed).slugs
        for r in resources:
            if _classic(r.name):
                r.fields["followed"] = True if known is None else r.name.lower() in known
        return resources

    def _read(self, ctx: FetchContext, slug: str, declared: Project | None) -> list[Resource]:
        body = ctx.api.get_project(slug)
        if body is None:
            if not ctx.strict:
                return []  # drift: reported as missing, with everything else
            if declared is None:
                # A restriction on it could never be created: say so now, not mid-apply.
                raise NotFound(
                    f"project {slug}, named in a context restriction, does not exist in "
                    "CircleCI or this token cannot see it"
                )
            if not declared.create:
                raise NotFound(
                    f"project {slug} does not exist in CircleCI or this token cannot see it "
                    "(check the slug's spelling and letter case as CircleCI shows it; "
                    "set `create: true` to have apply create it)"
                )
            return []
        if ctx.read_all:
            _check_org(ctx, slug, body)
        ids = ctx.facts(ProjectIds).ids
        with _CLAIM:
            seen = body["id"] in ids.values()
            ids[slug] = body["id"]
        if ctx.read_all and seen:  # one project named twice (letter case): read it once
            return []
        return [_live(slug, body)] if declared is not None else []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        return [r for unit in self.fetch_units(ctx) for r in unit()]

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        org, _, repo = desired.name.rpartition("/")
        try:
            body = ctx.api.create_project(org, repo)
        except Conflict:  # created by an earlier, interrupted run
            body = {}
        if not body.get("id") or canonical_slug(str(body.get("slug"))) != desired.name:
            body = ctx.api.get_project(desired.name) or {}
        if not body.get("id"):
            # CircleCI made a project under another slug (or none): say so, do not go on.
            raise ApiError(
                f"CircleCI did not create a project at {desired.name}",
                method="POST",
                path=f"/organization/{org}/project",
            )
        live = _live(desired.name, body)
        with ctx.lock:
            ctx.facts(ProjectIds).ids[desired.name] = live.ids["id"]
        if desired.fields.get("followed"):
            self._follow(ctx, live)
        return live

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        if "followed" in changed:
            self._follow(ctx, live)
        return live

    @staticmethod
    def _follow(ctx: ApplyContext, live: Resource) -> None:
        ctx.api.follow_project(live.name)
        live.fields["followed"] = True

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        raise NotImplementedError("projects are never deleted")

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """Each project under the slug CircleCI answers with (`gh/x/y` and `github/x/y`
        given both are one project)."""
        by_slug = {str(r.ids.get("slug") or r.name): r for r in live}
        return Exported(members=sorted(by_slug.items(), key=lambda m: m[0]))


def _restricted(context: Context) -> list[str]:
    return list(context.restrictions.projects) if context.restrictions else []
