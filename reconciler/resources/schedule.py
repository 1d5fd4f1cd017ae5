"""Scheduled pipelines, identified by name (unique per project); PATCH updates in place."""

from __future__ import annotations

from typing import Any

from reconciler.resources.base import Resource, Scope
from reconciler.resources.collection import CollectionKind
from reconciler.resources.names import child_address, slug_of
from reconciler.resources.runtime import ApplyContext, FetchContext, PlanContext

DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def _enum(v: Any) -> str:
    return str(getattr(v, "value", v))


def timetable(raw: dict[str, Any]) -> dict[str, Any]:
    """One spelling and order for both sides: sorted lists, empty lists dropped."""

    def get(key: str) -> Any:
        return raw.get(key, raw.get(key.replace("_", "-")))

    out: dict[str, Any] = {
        "per_hour": get("per_hour"),
        "hours_of_day": sorted(get("hours_of_day") or []),
    }
    days = sorted({_enum(d) for d in get("days_of_week") or []}, key=DAYS.index)
    dom = sorted(get("days_of_month") or [])
    months = sorted({_enum(m) for m in get("months") or []}, key=MONTHS.index)
    if days:
        out["days_of_week"] = days
    if dom:
        out["days_of_month"] = dom
    if months:
        out["months"] = months
    return out


def _fields(description: Any, actor: str, tt: dict[str, Any], params: Any) -> dict[str, Any]:
    return {
        "description": description or "",
        "attribution_actor": actor,
        "timetable": timetable(tt),
        "parameters": dict(params or {}),
    }


class ScheduleKind(CollectionKind):
    name = "schedule"
    parent_kind = "project"
    collection = "schedules"
    label = "schedule"
    ignore_category = "schedules"
    replace_creates_first = False  # names are unique per project

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
            for parent, schedules in self.declared(ctx)
            for name, s in sorted(schedules.items())
        ]
        return out, self.scopes(ctx)

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        return [self._live(ctx, parent.address, s) for s in ctx.api.list_schedules(parent.name)]

    def _live(self, ctx: Any, parent: str, s: dict[str, Any]) -> Resource:
        actor = s.get("attribution_actor") or "current"
        who = (s.get("actor") or {}).get("id")
        user = getattr(ctx, "user_id", "")
        if actor == "current" and user and who and who != user:
            # Attributed to someone other than this token's user: `current` would change it.
            actor = f"user:{(s.get('actor') or {}).get('login') or who}"
        return Resource(
            kind=self.name,
            address=child_address(parent, "schedule", s["name"]),
            name=s["name"],
            parent=parent,
            fields=_fields(
                s.get("description"), actor, s.get("timetable") or {}, s.get("parameters")
            ),
            ids={"id": s.get("id")},
            signal={"updated_at": s.get("updated_at")},
        )

    def _body(self, desired: Resource, keys: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {k: desired.fields[k] for k in keys}
        return body

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        body = {"name": desired.name, **self._body(desired, sorted(desired.fields))}
        s = ctx.api.create_schedule(slug_of(desired.parent), body)
        return self._live(ctx, desired.parent or "", s)

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        s = ctx.api.update_schedule(live.ids["id"], self._body(desired, changed))
        return self._live(ctx, desired.parent or "", s)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete_schedule(live.ids["id"])
