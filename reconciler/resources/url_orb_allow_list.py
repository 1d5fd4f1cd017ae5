"""The organization's URL orb allow-list (`organization_settings.url_orb_allow_list`): entries
keyed by name, each a URL prefix and how CircleCI authenticates to fetch what it allows.

CircleCI has no update route, so any change is a replace. Whether it refuses two entries of
one name (or one prefix) is not documented; deleting the old entry first is correct either
way (creating first would fail where names are unique), at the cost of a moment in which
orbs under that prefix are not allowed. A present key owns the list: an entry it does not
name is deleted. Prefixes must use https and end with `/` (CircleCI's documentation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, StrictStr, WithJsonSchema

from reconciler.client.api import seg
from reconciler.core import (
    ApplyContext,
    Change,
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
    ReconcilerError,
)
from reconciler.exporting.yamltext import Block
from reconciler.manifest.fields import NonBlank, StrictModel
from reconciler.manifest.section import Section
from reconciler.resources.gated import read_gated
from reconciler.resources.manifest_text import named, problem
from reconciler.resources.names import child_address, first_keeps_name, is_uuid

Auth = Literal["none", "github-oauth", "github-app", "bitbucket-oauth"]


def _prefix(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("prefix must be an https URL (https://host/path/)")
    if parts.username is not None or parts.password is not None:
        raise ValueError("prefix must not carry credentials (user:password@)")
    if not value.endswith("/"):
        raise ValueError("prefix must end with '/' (CircleCI matches orb URLs by prefix)")
    return value


class UrlOrbAllowListEntry(StrictModel):
    """An entry of the URL orb allow-list, matched by its name. CircleCI has no update
    route: any change deletes the entry and creates it again."""

    prefix: Annotated[
        StrictStr,
        AfterValidator(_prefix),
        WithJsonSchema({"type": "string", "pattern": "^https://.*/$"}),
    ]
    """URL prefix orb references must start with (https, ending in `/`)."""
    auth: Auth = "none"
    """How CircleCI authenticates to fetch the orbs: none, github-oauth, github-app or
    bitbucket-oauth."""


URL_ORBS: Section[dict[str, UrlOrbAllowListEntry]] = Section(
    owner="organization",
    key="url_orb_allow_list",
    annotation=dict[NonBlank, UrlOrbAllowListEntry] | None,
    description=(
        "URL orb allow-list entries, by name; present, the key owns the list: an entry not "
        "named here is deleted."
    ),
)


def _fields(prefix: object, auth: object) -> dict[str, Any]:
    return {"prefix": prefix, "auth": auth}


@dataclass
class Leaving:
    """Entries this apply deletes, by prefix (read by a create that CircleCI refuses)."""

    by_prefix: dict[str, Resource] = field(default_factory=dict)


def _refusal(exc: ApiError) -> ReconcilerError:
    return ReconcilerError(
        "organization_settings.url_orb_allow_list: CircleCI refused to show the URL orb "
        f"allow-list ({exc}); the feature may not be available for this organization's plan "
        "or on CircleCI server. Remove url_orb_allow_list from the manifest to leave it alone."
    )


class UrlOrbAllowListKind(Kind):
    name = "url_orb_allow_list_entry"
    label = "URL orb allow-list entry"
    section = URL_ORBS
    immutable_fields = frozenset({"prefix", "auth"})  # no update route
    replace_creates_first = False  # correct whether or not CircleCI refuses a second name

    def _path(self, org_id: str, entry_id: str | None = None) -> str:
        org = org_id if is_uuid(org_id) else "/".join(seg(p) for p in org_id.split("/"))
        tail = f"/{seg(entry_id)}" if entry_id else ""
        return f"/organization/{org}/url-orb-allow-list{tail}"

    def _resource(self, name: str, fields: dict[str, Any], entry_id: object = None) -> Resource:
        return Resource(
            kind=self.name,
            address=child_address("organization", "url_orb_allow_list", name),
            name=name,
            fields=fields,
            ids={"id": entry_id} if entry_id is not None else {},
        )

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        entries = URL_ORBS.of(ctx.manifest.organization_settings)
        if entries is None:
            return [], []  # hands-off
        out = [
            self._resource(name, _fields(e.prefix, e.auth)) for name, e in sorted(entries.items())
        ]
        reason = "not in organization_settings.url_orb_allow_list, which owns the list"
        return out, [Scope(None, self.name, reason=reason)]

    def _list(self, ctx: FetchContext | ApplyContext) -> list[dict[str, Any]]:
        return ctx.api.get_all(self._path(ctx.org_id))

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        managed = URL_ORBS.of(ctx.manifest.organization_settings) is not None
        entries = read_gated(ctx, self.name, managed, lambda: self._list(ctx), _refusal)
        if entries is None:
            return []
        # Should CircleCI hold two entries of one name, the first keeps it.
        return [
            self._resource(name, _fields(e.get("prefix"), e.get("auth")), e.get("id"))
            for name, e in first_keeps_name(entries, "name", "id")
        ]

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """Every entry; one the manifest would refuse leaves the whole list out (so alone),
        since a present list deletes the entries it does not name."""
        for r in live:
            why = problem(UrlOrbAllowListEntry, r.fields) or (None if r.name.strip() else "blank")
            if why is not None:
                why = why.replace("Value error, ", "")
                return Exported(notes=[f"url_orb_allow_list left out, so left alone: {why}"])
        return Exported(named(live, self._export_one))

    def _export_one(self, r: Resource) -> Block:
        out = Block()
        out.add("auth", r.fields["auth"])
        out.add("prefix", r.fields["prefix"])
        return out

    def _find(self, ctx: ApplyContext, desired: Resource) -> dict[str, Any] | None:
        """The entry a lost POST answer may have made: same name, prefix and auth."""
        for e in self._list(ctx):
            if e.get("name") == desired.name and _fields(e.get("prefix"), e.get("auth")) == (
                desired.fields
            ):
                return e
        return None

    def before_writes(self, ctx: ApplyContext, changes: list[Change]) -> None:
        leaving = ctx.facts(Leaving).by_prefix
        for c in changes:
            if c.action == "delete" and c.live is not None:
                leaving[str(c.live.fields.get("prefix"))] = c.live

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        body = {"name": desired.name, **desired.fields}
        path = self._path(ctx.org_id)

        def post() -> dict[str, Any]:
            return ctx.api.send("POST", path, body, probe=lambda: self._find(ctx, desired))

        try:
            answer = post()
        except (BadRequest, Conflict):
            # Renamed, same prefix: should CircleCI refuse a second entry of one prefix
            # (nothing documents it), the entry this run deletes goes first, then the POST
            # again. Correct either way; without such an entry the refusal stands.
            gone = ctx.facts(Leaving).by_prefix.pop(str(desired.fields.get("prefix")), None)
            if gone is None:
                raise
            self.delete(ctx, gone)
            answer = post()
        if not answer.get("id"):
            raise ApiError(
                "CircleCI answered without the new entry's id",
                method="POST",
                path=self._path(ctx.org_id),
            )
        return self._resource(desired.name, dict(desired.fields), answer["id"])

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete(self._path(ctx.org_id, str(live.ids["id"])))
