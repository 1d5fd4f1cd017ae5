"""Custom claims of the OIDC tokens CircleCI issues: the organization's
(`organization_settings.oidc_claims`) and a project's (`projects.<slug>.oidc_claims`).

Each claim (`audience`, `ttl`) is one object, keyed by its name. A present `oidc_claims` owns
both: a claim it leaves out is deleted with `DELETE ?claims=<name>`, since a PATCH cannot
unset one; a changed claim is PATCHed alone. The audience is a set (CircleCI answers it in
an order of its own), and the TTL is compared as a duration: CircleCI stores it in Go's
spelling (`90m` comes back `1h30m0s`), so both sides are written in one canonical form.

CircleCI parses the TTL as a Go duration, which has no unit above the hour, so `d` and `w`
(allowed by the spec's pattern) are refused offline; bounds of 1m to 24h are this tool's
choice (CircleCI documents none; tokens live one hour by default).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, StrictStr, WithJsonSchema, field_validator

from reconciler.client.api import seg
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
from reconciler.errors import ApiError, NotFound, ReconcilerError
from reconciler.exporting.yamltext import Block, Flow
from reconciler.manifest.fields import NonBlank, StrictModel
from reconciler.manifest.section import Section, SetList
from reconciler.resources.collection import CollectionKind
from reconciler.resources.gated import REFUSED, read_gated
from reconciler.resources.manifest_text import problem
from reconciler.resources.names import child_address, is_uuid, slug_of
from reconciler.resources.project import ProjectIds

CLAIMS = ("audience", "ttl")
TTL_PATTERN = r"^([0-9]+(ms|s|m|h|d|w)){1,7}$"
_UNIT_MS = {"ms": Decimal(1), "s": Decimal(1000), "m": Decimal(60_000), "h": Decimal(3_600_000)}
# Go's spelling, as CircleCI answers: fractions, and units below the millisecond.
_GO_UNITS = {**_UNIT_MS, "us": Decimal("0.001"), "µs": Decimal("0.001"), "ns": Decimal("1e-6")}
_GO_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")
MIN_TTL_MS, MAX_TTL_MS = 60_000, 24 * 3_600_000


def duration_ms(text: object) -> Decimal | None:
    """Milliseconds of a duration in Go's spelling (which includes the spec's), else None."""
    if not isinstance(text, str) or not text or len(text) > 64:
        return None
    parts = _GO_PART.findall(text)
    if "".join(n + u for n, u in parts) != text:
        return None
    try:
        return sum((Decimal(n) * _GO_UNITS[u] for n, u in parts), Decimal(0))
    except InvalidOperation:
        return None


def canonical(ms: Decimal) -> str | None:
    """The one spelling both sides are compared in: 1h30m, 45s, 1s500ms (None when the
    duration is not a whole number of milliseconds)."""
    if ms != ms.to_integral_value() or ms <= 0:
        return None
    rest, out = int(ms), ""
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        count, rest = divmod(rest, size)
        out += f"{count}{unit}" if count else ""
    return out


def _ttl(value: str) -> str:
    if not re.match(TTL_PATTERN, value):
        raise ValueError("ttl must be a duration like 1h, 30m or 1h30m (units ms, s, m, h)")
    if re.search(r"[0-9](d|w)", value):
        raise ValueError(
            "ttl cannot use days (d) or weeks (w): CircleCI reads it as a Go duration, whose "
            "largest unit is the hour (write 24h, not 1d)"
        )
    ms = duration_ms(value)
    if ms is None or not MIN_TTL_MS <= ms <= MAX_TTL_MS:
        raise ValueError("ttl must be between 1m and 24h")
    if ms % 1000:
        raise ValueError("ttl must be a whole number of seconds")
    return value


class OidcClaims(StrictModel):
    """Custom claims of the OIDC tokens CircleCI issues. Written here, the key owns both
    claims: one left out is deleted (CircleCI's default applies); `{}` deletes both."""

    audience: list[NonBlank] | None = None
    """The tokens' `aud` values (order does not matter)."""
    ttl: (
        Annotated[
            StrictStr,
            AfterValidator(_ttl),
            WithJsonSchema({"type": "string", "pattern": "^([0-9]+(ms|s|m|h)){1,7}$"}),
        ]
        | None
    ) = None
    """How long a token lives: 1h, 30m, 1h30m... (units ms, s, m, h; from 1m to 24h)."""

    @field_validator("audience")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("audience is empty; leave it out to delete the audience claim")
        return value


def _description(owner: str) -> str:
    return (
        f"Custom claims of the OIDC tokens of {owner} (audience, ttl); present, the key owns "
        "both: a claim left out is deleted."
    )


ORG_CLAIMS: Section[OidcClaims] = Section(
    owner="organization",
    key="oidc_claims",
    annotation=OidcClaims | None,
    description=_description("every project"),
    set_lists=(SetList(("audience",)),),
)
PROJECT_CLAIMS: Section[OidcClaims] = Section(
    owner="project",
    key="oidc_claims",
    annotation=OidcClaims | None,
    description=_description("this project (over the organization's)"),
    set_lists=(SetList(("audience",)),),
)


def _claims(claims: OidcClaims) -> Iterator[tuple[str, Any]]:
    if claims.audience is not None:
        yield "audience", sorted(set(claims.audience))
    if claims.ttl is not None:
        ms = duration_ms(claims.ttl)
        yield "ttl", canonical(ms) if ms is not None else claims.ttl


def _live_claims(answer: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    audience = answer.get("audience")
    if isinstance(audience, list) and audience:
        yield "audience", sorted({str(a) for a in audience})
    ttl = answer.get("ttl")
    if isinstance(ttl, str) and ttl:
        ms = duration_ms(ttl)
        yield "ttl", (canonical(ms) if ms is not None else None) or ttl


def _path(org_id: str, project_id: str | None = None) -> str:
    project = f"/project/{seg(project_id)}" if project_id else ""
    return f"/org/{seg(org_id)}{project}/oidc-custom-claims"


def _read(ctx: FetchContext, project_id: str | None = None) -> dict[str, Any]:
    """The claims answer; a refusal (or an organization whose id CircleCI does not list, as
    the routes take the id) raises one of REFUSED."""
    if not is_uuid(ctx.org_id):
        raise NotFound("CircleCI lists this organization without its id, which the route takes")
    path = _path(ctx.org_id, project_id)
    answer = ctx.api.get(path)
    if answer is None:
        raise NotFound("not found", method="GET", path=path)
    if not answer.get("org_id"):  # required: anything else is not a claims answer
        raise ApiError(
            "CircleCI sent an answer of an unexpected shape (no org_id); nothing was planned "
            "or changed",
            method="GET",
            path=path,
        )
    return answer


def _refusal(what: str, exc: Exception) -> ReconcilerError:
    return ReconcilerError(
        f"{what}: CircleCI refused to show the OIDC custom claims ({exc}); the feature may "
        "not be available for this organization's plan or on CircleCI server. Remove "
        "oidc_claims from the manifest to leave them alone."
    )


def _export(claims: list[Resource], owner: str) -> Exported:
    """The claims set in CircleCI; left out whole (so left alone) when the manifest would
    refuse one, since a present key deletes the claims it leaves out."""
    values = {r.name: r.fields[r.name] for r in claims}
    why = problem(OidcClaims, values)
    if why is not None:
        why = why.replace("Value error, ", "")
        return Exported(notes=[f"oidc_claims of {owner} left out, so left alone: {why}"])
    out = Block()
    if "audience" in values:
        out.add("audience", Flow(list(values["audience"])))
    if "ttl" in values:
        out.add("ttl", values["ttl"])
    return Exported(out)


@dataclass
class _ReadProjects:
    """The projects whose claims this run read (the others do not exist yet)."""

    parents: set[str] = field(default_factory=set)


class _Claims:
    """What both kinds share: one object per claim, written alone."""

    name: ClassVar[str]

    def _resource(self, parent: str | None, claim: str, value: object) -> Resource:
        base = parent or "organization"
        return Resource(
            kind=self.name,
            address=child_address(base, "oidc_claim", claim),
            name=claim,
            parent=parent,
            fields={claim: value},
        )

    def _live(self, parent: str | None, answer: dict[str, Any]) -> list[Resource]:
        return [self._resource(parent, c, v) for c, v in _live_claims(answer)]

    def _write(self, ctx: ApplyContext, path: str, desired: Resource) -> Resource:
        answer = ctx.api.send("PATCH", path, desired.fields)
        found = {r.name: r for r in self._live(desired.parent, answer)}
        live = found.get(desired.name)
        if live is None or live.fields != desired.fields:
            raise ApiError(
                f"CircleCI accepted but did not apply the {desired.name} claim",
                method="PATCH",
                path=path,
            )
        return live

    def _delete(self, ctx: ApplyContext, path: str, live: Resource) -> None:
        ctx.api.send("DELETE", path, params={"claims": live.name})


class OrgOidcClaimKind(_Claims, Kind):
    name = "oidc_claim"
    label = "OIDC claim"
    section = ORG_CLAIMS
    set_fields = frozenset({"audience"})

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        claims = ORG_CLAIMS.of(ctx.manifest.organization_settings)
        if claims is None:
            return [], []  # hands-off
        out = [self._resource(None, c, v) for c, v in _claims(claims)]
        reason = "not in organization_settings.oidc_claims, which owns the organization's claims"
        return out, [Scope(None, self.name, reason=reason)]

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        managed = ORG_CLAIMS.of(ctx.manifest.organization_settings) is not None
        answer = read_gated(
            ctx,
            self.name,
            managed,
            lambda: _read(ctx),
            lambda exc: _refusal("organization_settings.oidc_claims", exc),
        )
        return [] if answer is None else self._live(None, answer)

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        return _export(live, "the organization")

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return self._write(ctx, _path(ctx.org_id), desired)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        return self._write(ctx, _path(ctx.org_id), desired)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        self._delete(ctx, _path(ctx.org_id), live)


class ProjectOidcClaimKind(_Claims, CollectionKind):
    name = "project_oidc_claim"
    parent_kind = "project"
    label = "OIDC claim"
    section = PROJECT_CLAIMS
    set_fields = frozenset({"audience"})

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            self._resource(parent, c, v)
            for parent, claims in self.declared(ctx, PROJECT_CLAIMS)
            for c, v in _claims(claims)
        ]
        return out, self.scopes(ctx)

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        return super().wants(ctx, parent) and bool(parent.ids.get("id"))  # read by project id

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        ctx.facts(_ReadProjects).parents.add(parent.address)
        try:
            answer = _read(ctx, parent.ids["id"])
        except REFUSED as exc:
            if ctx.read_all:
                raise  # recorded by the engine: export writes why it is left out
            raise _refusal(f"projects.{parent.name}.oidc_claims", exc) from None
        return self._live(parent.address, answer)

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """When the organization's claims were refused too (the feature is off for the
        organization), each project's refusal repeats that one reason: export and `lint
        --live` say it once, for the organization (the projects' claims are left out).
        A plan that gives claims to a project apply is to create asks the organization's
        route whether CircleCI offers them, so a refusal stops the plan, not the apply
        after it created the project."""
        if (None, OrgOidcClaimKind.name) in ctx.unreadable:
            for key in [k for k in ctx.unreadable if k[1] == self.name and k[0] is not None]:
                del ctx.unreadable[key]
        if ctx.read_all:
            return resources
        read = ctx.facts(_ReadProjects).parents
        unread = [p for p, _ in self.declared(ctx, PROJECT_CLAIMS) if p not in read]
        if unread:
            try:
                _read(ctx)
            except REFUSED as exc:
                raise _refusal(f"projects.{slug_of(unread[0])}.oidc_claims", exc) from None
        return resources

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        assert parent is not None
        if not live:
            return Exported()  # none set: left out, so left alone
        return _export(live, parent.name)

    def _project_path(self, ctx: ApplyContext, parent: str | None) -> str:
        project_id = ctx.facts(ProjectIds).ids.get(slug_of(parent)) or ctx.parent_ids(parent).get(
            "id"
        )
        return _path(ctx.org_id, str(project_id))

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return self._write(ctx, self._project_path(ctx, desired.parent), desired)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        return self._write(ctx, self._project_path(ctx, desired.parent), desired)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        self._delete(ctx, self._project_path(ctx, live.parent), live)
