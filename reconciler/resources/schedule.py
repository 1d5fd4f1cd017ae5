"""Scheduled pipelines, identified by name (unique per project); PATCH updates in place.

Every real client PATCHes the whole schedule, and the spec does not say whether CircleCI
merges a partial timetable into the stored one. So the whole desired object is sent, and a
timetable that drops a key (days of week becoming days of month, months removed) is replaced
(deleted, then created: names are unique), which is right whichever way CircleCI merges.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.exporting.yamltext import Block, Flow
from reconciler.manifest.fields import AttributionActor, Day, Month, NonBlank, StrictModel, at_key
from reconciler.manifest.scalars import LooksTyped
from reconciler.manifest.section import Ignore, Section, SetList
from reconciler.resources.collection import CollectionKind
from reconciler.resources.manifest_text import named, problem, project_names
from reconciler.resources.names import child_address, slug_of

DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
SYSTEM, CURRENT, KEEP = "system", "current", "keep"


def _range(low: int, high: int, what: str) -> AfterValidator:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"{what} must be between {low} and {high}, not {value}")
        return value

    return AfterValidator(check)


Hour = Annotated[
    StrictInt,
    _range(0, 23, "an hour of the day (UTC)"),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 23}),
]
DayOfMonth = Annotated[
    StrictInt,
    _range(1, 31, "a day of the month"),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 31}),
]
PerHour = Annotated[
    StrictInt,
    _range(1, 60, "per_hour"),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 60}),
]


class Timetable(StrictModel):
    """When a schedule runs: `per_hour` runs in each of `hours_of_day` (UTC), on `days_of_week`
    or on `days_of_month` (one of the two), in `months` (all when absent)."""

    per_hour: PerHour
    """Runs per hour, 1 to 60."""
    hours_of_day: list[Hour]
    """Hours of the day, 0 to 23, UTC."""
    days_of_week: list[Day] | None = None
    """Days of the week (MON ... SUN); or use days_of_month."""
    days_of_month: list[DayOfMonth] | None = None
    """Days of the month (1 to 31); or use days_of_week."""
    months: list[Month] | None = None
    """Months (JAN ... DEC); every month when absent."""

    @field_validator("hours_of_day", "days_of_week", "days_of_month", "months")
    @classmethod
    def _not_empty(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        if not value:
            raise ValueError(f"{info.field_name} is empty; list at least one")
        return value

    @field_validator("days_of_month")
    @classmethod
    def _not_both(cls, value: list[int], info: ValidationInfo) -> list[int]:
        if info.data.get("days_of_week") is not None:
            raise ValueError("use days_of_week or days_of_month, not both")
        return value

    @model_validator(mode="after")
    def _some_days(self) -> Timetable:
        if self.days_of_week is None and self.days_of_month is None:
            raise at_key("timetable needs days_of_week or days_of_month")
        return self


def _parameter(value: object) -> str | int | bool:
    if isinstance(value, LooksTyped):
        raise ValueError(
            "unquoted value that YAML 1.1 tools read as a boolean, number or date: "
            "write true/false, or put text in quotes"
        )
    if isinstance(value, str | bool) or (isinstance(value, int) and -(2**63) <= value < 2**63):
        return value
    if isinstance(value, float):
        raise ValueError("parameters take text, whole numbers or true/false; quote decimals")
    raise ValueError("a parameter must be text, a whole number or true/false")


Parameter = Annotated[
    str | int | bool,
    PlainValidator(_parameter),
    WithJsonSchema({"type": ["string", "integer", "boolean"]}),
]


class Schedule(StrictModel):
    """A scheduled pipeline, matched by its name."""

    description: StrictStr | None = None
    """Shown in CircleCI's UI."""
    attribution_actor: AttributionActor = AttributionActor.CURRENT
    """Who the runs are attributed to: `current` (the user whose token applies the manifest,
    the default), `system`, or `keep` (whoever CircleCI attributes it to now, e.g. the
    colleague who made it: never compared or changed; a new schedule is made as `current`)."""
    timetable: Timetable
    """When it runs."""
    parameters: dict[NonBlank, Parameter]
    """Pipeline parameters; must hold `branch` or `tag` (not both)."""
    protect: StrictBool = False
    """Never delete or replace this schedule while it is listed here (the plan fails instead)."""

    @field_validator("parameters")
    @classmethod
    def _branch_or_tag(cls, value: dict[str, Any]) -> dict[str, Any]:
        present = [k for k in ("branch", "tag") if k in value]
        if len(present) != 1:
            raise at_key(
                "parameters need a branch or a tag"
                if not present
                else "parameters take a branch or a tag, not both"
            )
        target = value[present[0]]
        if not isinstance(target, str) or not target.strip():
            raise at_key(f"parameter '{present[0]}' must be a non-empty name")
        return value


IGNORED = Ignore("schedules", "Schedule names.", order=3)

SCHEDULES: Section[dict[str, Schedule]] = Section(
    owner="project",
    key="schedules",
    annotation=dict[NonBlank, Schedule] | None,
    description="Scheduled pipelines, by name.",
    set_lists=tuple(
        SetList(("*", "timetable", key))
        for key in ("hours_of_day", "days_of_week", "days_of_month", "months")
    ),
    not_on_standalone="CircleCI has no scheduled pipelines there; use schedule triggers",
    merge="by_name",
)


@dataclass
class TokenUser:
    """The token's user, to tell `current` schedule attribution apart ("": not read)."""

    id: str = ""


def _read_user(ctx: FetchContext) -> None:
    ctx.facts(TokenUser).id = ctx.api.me().get("id") or ""


def _enum(v: object) -> str:
    return str(getattr(v, "value", v))


def _position(order: list[str]) -> Callable[[str], tuple[int, str]]:
    """Calendar order; a value CircleCI may add later sorts last instead of failing."""
    return lambda v: (order.index(v), v) if v in order else (len(order), v)


def timetable(raw: dict[str, Any]) -> dict[str, Any]:
    """One spelling and order for both sides: sorted lists, empty lists dropped."""

    def get(key: str) -> Any:
        return raw.get(key, raw.get(key.replace("_", "-")))

    out: dict[str, Any] = {
        "per_hour": get("per_hour"),
        "hours_of_day": sorted(get("hours_of_day") or []),
    }
    days = sorted({_enum(d) for d in get("days_of_week") or []}, key=_position(DAYS))
    dom = sorted(get("days_of_month") or [])
    months = sorted({_enum(m) for m in get("months") or []}, key=_position(MONTHS))
    if days:
        out["days_of_week"] = days
    if dom:
        out["days_of_month"] = dom
    if months:
        out["months"] = months
    return out


def _fields(
    description: str | None, actor: str, tt: dict[str, Any], params: Mapping[str, object] | None
) -> dict[str, Any]:
    fields = {
        "description": description or "",
        "attribution_actor": actor,
        "timetable": timetable(tt),
        "parameters": dict(params or {}),
    }
    if actor == KEEP:  # the live attribution stands: not a managed field
        del fields["attribution_actor"]
    return fields


def _attribute(r: Resource, user_id: str) -> Resource:
    """A schedule attributed to someone other than this token's user is not `current`:
    shown as `user:<login>`, so `attribution_actor: current` reads as a change."""
    who = r.ids.get("actor_id")
    if r.fields["attribution_actor"] == "current" and user_id and who and who != user_id:
        r.fields["attribution_actor"] = f"user:{r.ids.get('actor') or who}"
        r.ids["stored_actor"] = "current"  # what CircleCI holds, for export
    return r


class ScheduleKind(CollectionKind):
    name = "schedule"
    parent_kind = "project"
    section = SCHEDULES
    label = "schedule"
    ignore = IGNORED
    replace_creates_first = False  # two schedules cannot share a name
    # Converted to schedule triggers (convert-schedules): the triggers exist before these go.
    deletes_after = ("pipeline_trigger",)

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            Resource(
                kind=self.name,
                address=child_address(parent, "schedule", name),
                name=name,
                parent=parent,
                fields=_fields(
                    s.description,
                    _enum(s.attribution_actor),
                    s.timetable.model_dump(exclude_none=True),
                    s.parameters,
                ),
                protect=bool(getattr(s, "protect", False)),
            )
            for parent, schedules in self.declared(ctx, SCHEDULES)
            for name, s in sorted(schedules.items())
        ]
        return out, self.scopes(ctx)

    def lookups(self, ctx: FetchContext) -> list[Callable[[], None]]:
        """The token's user, wherever schedules are declared (export: always)."""
        if ctx.read_all or any(SCHEDULES.of(p) for p in ctx.manifest.projects.values()):
            return [partial(_read_user, ctx)]
        return []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        return [self._live(parent.address, s) for s in ctx.api.list_schedules(parent.name)]

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """The token's user is known only once every read is done (it is read in parallel)."""
        user_id = ctx.facts(TokenUser).id
        for r in resources:
            _attribute(r, user_id)
        return resources

    def _live(self, parent: str, s: dict[str, Any], user_id: str = "") -> Resource:
        actor = s.get("actor") or {}
        r = Resource(
            kind=self.name,
            address=child_address(parent, "schedule", s["name"]),
            name=s["name"],
            parent=parent,
            fields=_fields(
                s.get("description"),
                s.get("attribution_actor") or "current",
                s.get("timetable") or {},
                s.get("parameters"),
            ),
            ids={"id": s.get("id"), "actor_id": actor.get("id"), "actor": actor.get("login")},
            signal={"updated_at": s.get("updated_at")},
        )
        return _attribute(r, user_id)

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        assert parent is not None
        return Exported(named(live, lambda r: self._export_one(ctx, parent, r)))

    def _export_one(self, ctx: ExportContext, parent: Resource, r: Resource) -> Block | None:
        """One schedule as the manifest writes it, or None (hands-off) when the manifest
        would refuse it (a schedule made before a rule the manifest checks)."""
        actor = str(r.ids.get("stored_actor") or r.fields["attribution_actor"])
        who, user_id = r.ids.get("actor_id"), ctx.fetch.facts(TokenUser).id
        note = ""
        if actor != SYSTEM and who and user_id and who != user_id:
            # Made by someone else: `current` would move it to whoever applies the manifest.
            login = r.ids.get("actor") or who
            actor, note = KEEP, f"runs as {login}; `keep` leaves it so (`current`: the applier)"
        description = r.fields["description"] or None
        parameters: dict[str, object] = dict(r.fields["parameters"])
        timetable: dict[str, object] = dict(r.fields["timetable"])
        data: dict[str, object] = {
            "attribution_actor": actor,
            "parameters": parameters,
            "timetable": timetable,
        }
        if description is not None:
            data["description"] = description
        why = problem(Schedule, data)
        if why is not None:
            slug = project_names(parent)[0]
            ctx.hands_off.add(IGNORED.key, r.name, f"schedule {r.name!r} of {slug}: {why}")
            return None
        out = Block()
        out.add("attribution_actor", actor, after=note)
        if description is not None:
            out.add("description", description)
        params = Block()
        for k in sorted(parameters):
            params.add(k, parameters[k])
        out.add("parameters", params)
        tt = Block()
        for k, v in sorted(timetable.items()):
            tt.add(k, Flow(v) if isinstance(v, list) else v)
        out.add("timetable", tt)
        return out

    def must_replace(self, desired: Resource, live: Resource, changed: list[str]) -> bool:
        dropped = set(live.fields["timetable"]) - set(desired.fields["timetable"])
        return "timetable" in changed and bool(dropped)

    @staticmethod
    def _body(desired: Resource) -> dict[str, Any]:
        """The whole desired schedule; with `keep`, no attribution (the spec's PATCH fields
        are optional: the live one stays)."""
        return {"name": desired.name, **{k: desired.fields[k] for k in sorted(desired.fields)}}

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        body = {"attribution_actor": CURRENT, **self._body(desired)}  # `keep` makes it anew
        s = ctx.api.create_schedule(slug_of(desired.parent), body)
        return self._live(desired.parent or "", s, ctx.facts(TokenUser).id)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        s = ctx.api.update_schedule(live.ids["id"], self._body(desired))
        return self._live(desired.parent or "", s, ctx.facts(TokenUser).id)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_schedule(live.ids["id"])
