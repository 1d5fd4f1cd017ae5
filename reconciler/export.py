"""`export`: a manifest describing a live organization, ready to commit and plan against.

The given projects (settings, env var names, checkout key types, schedules, webhooks) and
every context of the organization (env var names, restrictions), read through the same kinds
and normalisation as plan and drift. Secret values cannot be read, so each variable is adopted
(`NAME: {}`) and a signing secret is left out; with `placeholders`, each becomes an
`{env: NAME}` placeholder listed at the top of the file. Objects that cannot be written back
faithfully are named in `policy.ignore` so plan and apply leave them alone; with `defaults`,
what most projects share is written once under `defaults`. Planned against
the same organization (with any placeholders set), the manifest shows no change.
"""

from __future__ import annotations

import fnmatch
import re

from reconciler.client.api import CircleCI
from reconciler.core import Kind
from reconciler.engine import Progress, fetch_live
from reconciler.exporting.document import build
from reconciler.manifest import Manifest, Project
from reconciler.manifest.names import base58_of_uuid, normalise_org, normalise_project
from reconciler.resources import REGISTRY
from reconciler.resources.names import canonical_slug

_GLOB = re.compile(r"[*?\[]")


def discover(api: CircleCI, org_slug: str, wanted: list[str]) -> list[str]:
    """The project slugs to export: those named, and for globs (or nothing named) the
    organization's projects CircleCI lists. No v2 route lists an organization's projects:
    v1.1 lists those the token's user follows (none of a standalone organization's), and
    the contexts' project restrictions (v2) name more, followed or not."""
    named = [s for s in wanted if not _GLOB.search(s)]
    globs = [s for s in wanted if _GLOB.search(s)] or ([] if wanted else ["*"])
    if not globs:
        return named
    org = normalise_org(org_slug) or org_slug
    listed = [s for s in api.followed_projects() if s.lower().startswith(org.lower() + "/")]
    known = {s.lower() for s in listed}
    listed += [s for s in restricted(api, org) if s.lower() not in known]
    picked = [s for s in listed if any(fnmatch.fnmatchcase(s, canonical_slug(g)) for g in globs)]
    return named + picked


def restricted(api: CircleCI, org: str) -> list[str]:
    """Slugs of the projects the organization's contexts are restricted to. A restriction
    names its project by id and name: a standalone (circleci/) slug is built from the id,
    any other from the name; each is looked up, so only projects that answer are kept."""
    org_id = api.get_organization(org)["id"]
    contexts = api.list_contexts(org_id or org)
    found: dict[str, str] = {}  # project id -> slug
    for rules in api.map(lambda c: api.list_context_restrictions(c["id"]), contexts):
        for r in rules:
            pid, name = str(r.get("restriction_value") or ""), r.get("name")
            if r.get("restriction_type") != "project" or pid in found:
                continue
            if org.startswith("circleci/"):
                found[pid] = f"{org}/{base58_of_uuid(pid)}"
            elif isinstance(name, str) and name:
                found[pid] = f"{org}/{name}"
    looked = api.map(lambda s: api.get_project(s), sorted(set(found.values())))
    return sorted(p["slug"] for p in looked if p is not None and p.get("id") in found)


def export_manifest(
    api: CircleCI,
    org_slug: str,
    project_slugs: list[str],
    kinds: dict[str, Kind] = REGISTRY,
    placeholders: bool = False,
    defaults: bool = False,
    progress: Progress | None = None,
    files: dict[str, str] | None = None,
) -> str:
    """The YAML text of a manifest for `org_slug` and `project_slugs` (globs pick among the
    projects discovered; none given: every project discovered). `files` receives the files
    to write beside the manifest (path relative to it -> text); None: leave them out."""
    # `github/x/y` and `gh/x/y` are one project: read and write it once.
    slugs = sorted({normalise_project(s) or s for s in discover(api, org_slug, project_slugs)})
    # The scope to read, not a manifest from a file: unchecked, so the API judges the slugs.
    scope = Manifest.model_construct(
        version=1,
        organization=normalise_org(org_slug) or org_slug,
        projects={s: Project() for s in slugs},
        contexts={},
    )
    live, fetch = fetch_live(api, scope, progress, kinds=kinds, read_all=True)
    return build(fetch, live, kinds, placeholders, defaults, files)
