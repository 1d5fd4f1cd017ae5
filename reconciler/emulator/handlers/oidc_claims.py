"""OIDC token custom claims of an organization and of its projects (ENDPOINTS.md §14).

GET answers 200 with only the ids for a scope nobody customised (never 404). PATCH sets the
claims it names and leaves the others; it cannot unset one: DELETE ?claims=audience,ttl does.
Errors are the `{"error": ...}` family. What CircleCI is known to do, from the Terraform
provider's recorded behaviour (CircleCI-Public, "measured 2026-08-21"): the TTL is parsed as
a Go duration and stored in Go's spelling ("90m" comes back "1h30m0s"), so `d` and `w`
units, allowed by the spec's pattern, are refused; the audience comes back in an order of
the server's own (here: reversed); a DELETE without `claims` is 400 "Claims: cannot be
blank."; an `*_updated_at` stays once set, even after its claim is deleted.

Our choices where nothing is recorded (stricter, never looser, than CircleCI as far as we
know): a TTL must also match the spec's pattern (no fractions), lie between 1m and 24h and
be a whole number of seconds (Go would spell a fraction "1m1.5s", off the spec's pattern);
an audience is a non-empty list of non-blank strings; a PATCH naming no claim, or an unknown
key, is 400; a claim name DELETE does not know is 400; an organization or project the token
cannot see is 403 {"error": "Forbidden"} (the spec declares no 404); a feature turned off
for the organization (seed `features_off: [oidc_custom_claims]`) is 403 with a message
saying so.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.handlers import features
from reconciler.emulator.http import Ctx, Fail, Reply, Route, SeedKey
from reconciler.emulator.util import is_uuid
from reconciler.emulator.world import Record, World

FEATURE = "oidc_custom_claims"
features.register(FEATURE)
TABLE = "oidc_claims"
CLAIMS = ("audience", "ttl")
PATTERN = re.compile(r"^([0-9]+(ms|s|m|h|d|w)){1,7}$")
GO_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}  # Go's; no d or w
MIN_TTL_MS, MAX_TTL_MS = 60_000, 24 * 3_600_000


class Refused(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


def ttl_ms(value: Any) -> int:
    """Milliseconds of a TTL CircleCI accepts; ValueError with CircleCI-like words otherwise."""
    if not isinstance(value, str) or not PATTERN.match(value):
        raise ValueError("TTL: must be a duration like 1h, 30m or 1h30m.")
    total = 0
    for number, unit in re.findall(r"([0-9]+)(ms|s|m|h|d|w)", value):
        if unit not in GO_UNITS:
            raise ValueError(f'TTL: time: unknown unit "{unit}" in duration "{value}".')
        total += int(number) * GO_UNITS[unit]
    if not MIN_TTL_MS <= total <= MAX_TTL_MS:
        raise ValueError("TTL: must be between 1m and 24h.")
    if total % 1000:  # Go would answer "1m1.5s", which the spec's own pattern refuses
        raise ValueError("TTL: must be a whole number of seconds.")
    return total


def go_duration(ms: int) -> str:
    """Go's time.Duration.String() of a whole number of milliseconds: 1h0m0s, 1m30.5s."""
    if ms < 1000:
        return f"{ms}ms" if ms else "0s"
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    sec = f"{seconds}.{millis:03d}".rstrip("0") if millis else str(seconds)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + sec + "s"


def audience(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("Audience: cannot be blank.")
    if not all(isinstance(a, str) and a.strip() for a in value):
        raise ValueError("Audience: must be a list of non-blank strings.")
    return list(dict.fromkeys(value))


def _set(world: World, record: Record, claims: dict[str, Any]) -> None:
    """Every claim is checked before any is stored: a refused request changes nothing."""
    now = world.clock.now()
    checked: dict[str, Any] = {}
    if "audience" in claims:
        checked["audience"] = audience(claims["audience"])
    if "ttl" in claims:
        checked["ttl"] = go_duration(ttl_ms(claims["ttl"]))
    for name, value in checked.items():
        record[name] = value
        record[f"{name}_updated_at"] = now


def _record(world: World, org_id: str, project_id: str | None) -> Record:
    key = f"project:{project_id}" if project_id else f"org:{org_id}"
    table = world.table(TABLE)
    if key not in table:
        table[key] = {"org_id": org_id, **({"project_id": project_id} if project_id else {})}
    return table[key]


def view(record: Record) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k != "audience"}
    if "audience" in record:
        out["audience"] = list(reversed(record["audience"]))  # an order of its own
    return out


def _scope(ctx: Ctx, org_id: str, project_id: str | None) -> Record:
    if not is_uuid(org_id):
        raise Refused(400, "OrgID: must be a valid UUID.")
    if project_id is not None and not is_uuid(project_id):
        raise Refused(400, "ProjectID: must be a valid UUID.")
    org = ctx.world.organizations.get(org_id.lower())
    if org is None or not ctx.member_of(org["id"]):
        raise Refused(403, "Forbidden")
    if project_id is not None:
        project = ctx.world.projects.get(project_id.lower())
        if project is None or project["organization_id"] != org["id"]:
            raise Refused(403, "Forbidden")
    if not features.available(org, FEATURE):
        raise Refused(403, "OIDC custom claims are not available for this organization's plan.")
    return _record(ctx.world, org["id"], project_id.lower() if project_id else None)


def _answer(fn: Any) -> Any:
    def handler(ctx: Ctx, org_id: str, project_id: str | None = None) -> Reply:
        try:
            return fn(ctx, _scope(ctx, org_id, project_id))
        except Refused as exc:
            return Reply(exc.status, {"error": exc.error})
        except ValueError as exc:
            return Reply(400, {"error": str(exc)})

    handler.error_key = "error"  # type: ignore[attr-defined]  # read by app.py's 500s
    return handler


def _get(ctx: Ctx, record: Record) -> Reply:
    return Reply(200, view(record))


def _patch(ctx: Ctx, record: Record) -> Reply:
    try:
        data = ctx.body()
    except Fail:
        data = None
    if not isinstance(data, dict):
        raise Refused(400, "Invalid request body.")
    unknown = sorted(set(data) - set(CLAIMS))
    if unknown:
        raise Refused(400, f"Unexpected JSON field '{unknown[0]}'.")
    if not data:
        raise Refused(400, "At least one claim is required.")
    _set(ctx.world, record, data)
    return Reply(200, view(record))


def _delete(ctx: Ctx, record: Record) -> Reply:
    raw = ctx.request.args.get("claims", "")
    names = raw.split(",") if raw.strip() else []
    if not names:
        raise Refused(400, "Claims: cannot be blank.")
    if any(n not in CLAIMS for n in names):
        raise Refused(400, 'Claims: valid values are "audience" and "ttl".')
    now = ctx.world.clock.now()
    for name in names:
        record.pop(name, None)
        record[f"{name}_updated_at"] = now  # stays, as CircleCI's does
    return Reply(200, view(record))


def _seed(level: str) -> SeedKey:
    def load(world: World, record: Record, value: Any, where: str) -> None:
        if not isinstance(value, dict) or set(value) - set(CLAIMS):
            raise ValueError("must be a mapping of audience and ttl")
        if level == "organization":
            found = _record(world, record["id"], None)
        else:
            found = _record(world, record["organization_id"], record["id"])
        try:
            _set(world, found, value)
        except ValueError:
            raise ValueError(
                "audience must be a list of non-blank strings, ttl a duration from 1m to 24h"
            ) from None

    return SeedKey(level=level, key="oidc_claims", load=load)


SEED_KEYS = [_seed("organization"), _seed("project")]
ORG = "/v2/org/<org_id>/oidc-custom-claims"
PROJECT = "/v2/org/<org_id>/project/<project_id>/oidc-custom-claims"
ROUTES: list[Route] = [
    (path, method, _answer(fn))
    for path in (ORG, PROJECT)
    for method, fn in (("GET", _get), ("PATCH", _patch), ("DELETE", _delete))
]
