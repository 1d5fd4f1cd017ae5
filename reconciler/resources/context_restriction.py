"""Context restrictions, identified by kind and name (project slug, expression, group name).
Where the groups list cannot be read (the groups API serves standalone organizations only),
group restrictions are identified by the id CircleCI stores, on both sides.

CircleCI stores a project or group restriction by id. The id is compared too: when a project
or group was deleted and made again under the same name, the restriction still points at the
old id and is replaced, the new one created before the old one is removed (there is no update
route, and a context must never be left unrestricted in between).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from pydantic import BaseModel

from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.errors import BadRequest, NotFound, PermissionDenied, Problem, ReconcilerError
from reconciler.exporting.yamltext import Block
from reconciler.manifest import names
from reconciler.manifest.fields import NonBlank, ProjectSlug, RestrictionKind, StrictModel
from reconciler.manifest.names import base58_of_uuid
from reconciler.manifest.section import Section, SetList, Site
from reconciler.resources.collection import CollectionKind
from reconciler.resources.manifest_text import project_names
from reconciler.resources.names import canonical_slug, child_address, is_uuid, project_address
from reconciler.resources.project import ProjectIds

LISTS = (("project", "projects"), ("expression", "expressions"), ("group", "groups"))
_READABLE_ORG = re.compile(r"^(gh|bb)/[^/]+$")
log = logging.getLogger("reconciler.resources.context_restriction")


class Restrictions(StrictModel):
    """Who may use a context. When `restrictions` is written all three kinds are authoritative:
    a kind left out means no restriction of that kind."""

    projects: list[ProjectSlug] = []
    """Project slugs of this organization (resolved to project ids)."""
    expressions: list[NonBlank] = []
    """Expression restrictions, e.g. pipeline.git.branch == "main"."""
    groups: list[NonBlank] = []
    """Group names or ids (standalone organizations)."""

    def items(self) -> list[tuple[RestrictionKind, str]]:
        return (
            [(RestrictionKind.PROJECT, v) for v in self.projects]
            + [(RestrictionKind.EXPRESSION, v) for v in self.expressions]
            + [(RestrictionKind.GROUP, v) for v in self.groups]
        )


def _one_project(value: object) -> object:
    """Spellings of one project are one item (`github/a/b`, `gh/A/b`)."""
    if isinstance(value, str):
        return names.fold_project(names.normalise_project(value) or value)
    return value


def _in_organization(site: Site) -> list[Problem]:
    """A restriction project must be one of the organization's."""
    items = site.value.get("projects") if isinstance(site.value, dict) else None
    if not isinstance(items, list) or not site.org:
        return []
    problems = []
    for i, item in enumerate(items):
        norm = names.normalise_project(item) if isinstance(item, str) else None
        if norm and not names.same_org(norm, site.org):
            problems.append(
                site.doc.positions.value((*site.path, "projects", i)).problem(
                    f"restriction project '{item}' is not in organization '{site.org_raw}'"
                )
            )
    return problems


def _projects(context: BaseModel) -> list[str]:
    restrictions = RESTRICTIONS.of(context)
    return list(restrictions.projects) if restrictions else []


RESTRICTIONS: Section[Restrictions] = Section(
    owner="context",
    key="restrictions",
    annotation=Restrictions | None,
    description="Restrictions; absent = hands-off.",
    set_lists=(
        SetList(("projects",), same=_one_project),
        SetList(("expressions",)),
        SetList(("groups",)),
    ),
    rules=_in_organization,
    projects=_projects,
)


@dataclass
class Groups:
    """Group name -> id, and whether the list was read: only then are group restrictions
    shown by name."""

    ids: dict[str, str] = field(default_factory=dict)
    read: bool = False


def _group_names(ctx: FetchContext) -> list[str]:
    """Groups the manifest names by name (ids need no lookup)."""
    return [
        g
        for c in ctx.manifest.contexts.values()
        if (r := RESTRICTIONS.of(c)) is not None
        for g in r.groups
        if not is_uuid(g)
    ]


def _read_groups(ctx: FetchContext) -> None:
    groups = ctx.facts(Groups)
    try:
        groups.ids = {g["name"]: g["id"] for g in ctx.api.list_groups(ctx.org_id)}
        groups.read = True
    except (NotFound, PermissionDenied, BadRequest) as exc:
        # The groups API is for standalone organizations only; elsewhere (GitHub OAuth:
        # groups are GitHub teams) restrictions are known by id alone. Only a manifest
        # naming a group by name needs the list. Any other failure (5xx, rate limit, no
        # answer) stops the plan: guessing "no groups" would plan restrictions away.
        named = sorted(set(_group_names(ctx)))
        if named:
            raise ReconcilerError(
                f"group(s) {', '.join(named)} are named by name in context restrictions, "
                f"but CircleCI does not list the groups of {ctx.org_slug} (HTTP "
                f"{exc.status}; the groups API serves standalone organizations only): "
                "write each group's id instead"
            ) from None
        log.info("groups are not available for %s", ctx.org_slug)
        groups.ids = {}
    unknown = sorted(set(_group_names(ctx)) - set(groups.ids))
    if unknown and ctx.strict:  # a restriction on it could never be created: say so now
        raise ReconcilerError(
            f"group(s) {', '.join(unknown)}, named in context restrictions, do not exist "
            f"in {ctx.org_slug}"
        )


def _resource(parent: str, rtype: str, shown: str, ref: object, **ids: object) -> Resource:
    name = f"{rtype}:{shown}"
    fields: dict[str, object] = {"type": rtype, "value": shown}
    if rtype != "expression":
        fields["ref"] = ref  # the id CircleCI holds (None: not known before apply)
    return Resource(
        kind="context_restriction",
        address=child_address(parent, "restriction", name),
        name=name,
        parent=parent,
        fields=fields,
        ids=dict(ids),
    )


def _id_case(value: str) -> str:
    """Ids compare in CircleCI's lower case, however the manifest writes them."""
    return value.lower() if is_uuid(value) else value


class ContextRestrictionKind(CollectionKind):
    name = "context_restriction"
    parent_kind = "context"
    section = RESTRICTIONS
    label = "restriction"
    immutable_fields = frozenset({"ref"})

    def lookups(self, ctx: FetchContext) -> list[Callable[[], None]]:
        """Group restrictions are shown by name, so read the groups wherever restrictions
        are declared."""
        if any(RESTRICTIONS.of(c) is not None for c in ctx.manifest.contexts.values()):
            return [partial(_read_groups, ctx)]
        return []

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        project_ids = ctx.facts(ProjectIds).ids
        groups = ctx.facts(Groups).ids
        out = []
        for parent, r in self.declared(ctx, RESTRICTIONS):
            for rtype, attr in LISTS:
                for v in getattr(r, attr, None) or []:
                    if rtype == "project":
                        slug = canonical_slug(v)
                        out.append(_resource(parent, rtype, slug, project_ids.get(slug)))
                    elif rtype == "group":
                        # One group, however it is written: named by name, holding its id.
                        v = _id_case(str(v))
                        name = next((n for n, gid in groups.items() if gid == v), v)
                        out.append(_resource(parent, rtype, name, groups.get(name, v)))
                    else:
                        out.append(_resource(parent, rtype, str(v), str(v)))
        return out, self.scopes(ctx)

    def requires(self, desired: Resource) -> list[str]:
        if desired.fields["type"] == "project":  # a project created in this run needs its id
            return [project_address(desired.fields["value"])]
        return []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        out = []
        for r in ctx.api.list_context_restrictions(parent.ids["id"]):
            rtype, value = r["restriction_type"], r["restriction_value"]
            out.append(
                _resource(parent.address, rtype, value, value, id=r["id"], label=r.get("name"))
            )
        return out

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """Name ids: by what this run read (project slugs, group names), else by CircleCI's
        label (a project or group made again under the same name has a new id)."""
        if ctx.read_all:
            _learn_names(ctx, resources)
        groups = ctx.facts(Groups)
        known = {
            "project": {pid: slug for slug, pid in ctx.facts(ProjectIds).ids.items()},
            "group": {gid: name for name, gid in groups.ids.items()},
        }
        named = [(r, self._known_name(r, known)) for r in resources]
        taken = {(r.parent, n) for r, n in named if n is not None}
        out = []
        for r, shown in named:
            if shown is None and r.fields["type"] == "group" and not groups.read:
                shown = r.fields["ref"]  # names unknown: the id CircleCI stores, as written
            if shown is None:
                shown = self._label_name(ctx, r)
                if shown is None or (r.parent, shown) in taken:
                    label = r.ids.get("label")
                    shown = f"{r.fields['ref']} ({label})" if label else r.fields["ref"]
                taken.add((r.parent, shown))
            out.append(
                _resource(r.parent or "", r.fields["type"], shown, r.fields.get("ref"), **r.ids)
            )
        return out

    @staticmethod
    def _known_name(r: Resource, known: dict[str, dict[str, str]]) -> str | None:
        rtype, ref = r.fields["type"], r.fields.get("ref")
        if rtype == "expression":
            return str(r.fields["value"])
        return known.get(rtype, {}).get(str(ref))

    @staticmethod
    def _label_name(ctx: FetchContext, r: Resource) -> str | None:
        label = r.ids.get("label")
        if not label:
            return None
        if r.fields["type"] == "group":
            return str(label)
        if _READABLE_ORG.match(ctx.org_slug or ""):  # gh/bb slugs are org slug + repo name
            return f"{ctx.org_slug}/{label}"
        return None

    def _value(self, ctx: ApplyContext, desired: Resource) -> str:
        rtype, value = desired.fields["type"], desired.fields["value"]
        if rtype == "project":
            pid = ctx.facts(ProjectIds).ids.get(value)
            if not pid:
                raise NotFound(f"project {value} (named in {desired.address}) has no id")
            return pid
        if rtype == "group":
            return str(ctx.facts(Groups).ids.get(value, value))
        return str(value)

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        context_id = ctx.parent_ids(desired.parent)["id"]
        value = self._value(ctx, desired)
        r = ctx.api.create_context_restriction(context_id, desired.fields["type"], value)
        return _resource(
            desired.parent or "",
            desired.fields["type"],
            desired.fields["value"],
            value,
            id=r.get("id"),
        )

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_context_restriction(ctx.parent_ids(live.parent)["id"], live.ids["id"])

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """Projects by slug, groups by name (by id where names cannot be read), expressions as
        written; none at all (hands-off) when one cannot be named: leaving one restriction out
        of the list would have apply delete it."""
        f = ctx.fetch
        ids = {pid: slug for slug, pid in f.facts(ProjectIds).ids.items()}
        ids.update(
            {str(p.ids.get("id")): project_names(p)[0] for p in ctx.live if p.kind == "project"}
        )
        groups = {gid: name for name, gid in f.facts(Groups).ids.items()}
        lists: dict[str, list[str]] = {key: [] for _, key in sorted(LISTS, key=lambda t: t[1])}
        unmapped: list[str] = []
        for r in live:
            rtype = r.fields["type"]
            value = str(r.fields["value"] if rtype == "expression" else r.fields.get("ref") or "")
            if rtype == "project" and value in ids:
                lists["projects"].append(ids[value])
            elif rtype == "project":
                unmapped.append(f"project id {value} (name {r.ids.get('label') or 'unknown'!s})")
            elif rtype == "group":
                lists["groups"].append(groups.get(value, value))
            elif rtype == "expression":
                lists["expressions"].append(value)
            else:  # a kind this tool does not know: a manifest cannot list it
                unmapped.append(f"{rtype} restriction {value}")
        if unmapped:
            return Exported(
                notes=[
                    "restrictions: left out, so left alone: a manifest cannot name these:",
                    *(f"  - {u}" for u in unmapped),
                    *(
                        f"  (also restricted to {k[:-1]} {v})"
                        for k, vs in lists.items()
                        for v in vs
                    ),
                ]
            )
        refused = f.unreadable.get((None, "groups"))
        notes = []
        if refused is not None and lists["groups"]:
            notes.append(f"groups are shown by id: group names could not be read ({refused})")
        out = Block()
        for key, values in lists.items():
            if values:
                out.add(key, sorted(set(values)))
        return Exported(out, notes)


def _learn_names(ctx: FetchContext, resources: list[Resource]) -> None:
    """Export names what a plan need not: the groups, read only when a group restriction is
    live (a refusal is recorded: groups are then shown by id), and projects outside the export
    known by id alone, looked up by the slug their id (standalone) or their name gives."""
    groups = ctx.facts(Groups)
    if not groups.read and any(r.fields["type"] == "group" for r in resources):
        try:
            listed = ctx.api.list_groups(ctx.org_id)
        except (BadRequest, PermissionDenied, NotFound) as exc:
            ctx.unreadable[(None, "groups")] = str(exc)
        else:
            groups.ids = {g["name"]: g["id"] for g in listed if g.get("id") and g.get("name")}
            groups.read = True
    project_ids = ctx.facts(ProjectIds).ids
    known = set(project_ids.values())
    others = sorted(
        {
            (str(r.fields.get("ref") or ""), str(r.ids.get("label") or ""))
            for r in resources
            if r.fields["type"] == "project" and str(r.fields.get("ref") or "") not in known
        }
    )
    found = ctx.api.map(lambda pair: _other_project(ctx, *pair), others)
    for (pid, _), slug in zip(others, found, strict=True):
        if slug is not None:
            project_ids[slug] = pid


def _other_project(ctx: FetchContext, project_id: str, name: str) -> str | None:
    """The slug of a project of this organization known only by id (and its name), if the
    token can read it: standalone slugs derive from the id, classic ones from the name."""
    org = ctx.org_slug
    if org.startswith("circleci/"):
        try:
            guess = f"{org}/{base58_of_uuid(project_id)}"
        except ValueError:
            return None
    elif name:
        guess = f"{org}/{name}"
    else:
        return None
    try:
        body = ctx.api.get_project(guess)
    except (BadRequest, PermissionDenied, NotFound):
        return None
    if not isinstance(body, dict) or body.get("id") != project_id:
        return None
    return str(body.get("slug") or guess)
