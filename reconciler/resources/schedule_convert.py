"""Legacy schedules to schedule triggers, in the manifest's own text: a project's `schedules`
become schedule triggers of one of its pipeline definitions, with comments kept (ruamel
round-trip), for the user to review before applying.

Each timetable becomes one cron expression (cron.from_timetable), `branch`/`tag` the
trigger's refs (a branch by name, a tag as refs/tags/NAME), other parameters stay
parameters, and the attribution is kept. `schedules` is left as `{}`, so the plan deletes
the legacy schedules, and only once the triggers exist (ScheduleKind.deletes_after).
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from reconciler.errors import ReconcilerError
from reconciler.manifest.names import normalise_project
from reconciler.resources import cron


class NotConvertible(ReconcilerError):
    """A schedule no schedule trigger states; nothing is written."""


@dataclass
class Conversion:
    text: str  # the manifest rewritten
    diff: str  # unified diff from the file as it was
    triggers: list[str]  # names of the triggers made
    notes: list[str]


def trigger_of(name: str, schedule: Mapping[str, Any]) -> CommentedMap:
    """The schedule trigger that runs when the legacy schedule `name` does."""
    actor = str(schedule.get("attribution_actor", "current"))
    if actor not in ("current", "system"):
        raise NotConvertible(
            f"schedule {name!r}: attribution_actor {actor!r} has no schedule-trigger "
            "equivalent; write current or system first"
        )
    try:
        expression = cron.check(cron.from_timetable(dict(schedule.get("timetable") or {})))
    except (cron.Inexpressible, cron.CronError) as exc:  # CronError: an hour 24, say
        raise NotConvertible(f"schedule {name!r}: {exc}") from None
    parameters = dict(schedule.get("parameters") or {})
    branch, tag = parameters.pop("branch", None), parameters.pop("tag", None)
    if branch is None and tag is None:
        raise NotConvertible(
            f"schedule {name!r}: its parameters name no branch or tag, so the trigger's "
            "refs are unknown; add the branch it runs on"
        )
    ref = str(branch) if branch is not None else f"refs/tags/{tag}"
    out = CommentedMap()
    out["provider"] = "schedule"
    out["cron_expression"] = expression
    out["attribution_actor"] = actor
    out["checkout_ref"] = ref
    out["config_ref"] = ref
    if parameters:
        out["parameters"] = CommentedMap(parameters)
    if schedule.get("description"):
        out.yaml_set_start_comment(f"was the schedule: {schedule['description']}", indent=12)
    return out


def _project(data: Mapping[str, Any], slug: str) -> CommentedMap:
    want = normalise_project(slug) or slug
    for key, value in (data.get("projects") or {}).items():
        if key == slug or normalise_project(str(key)) == want:
            if isinstance(value, CommentedMap):
                return value
    raise ReconcilerError(f"project {slug} is not in the manifest")


def _definition(project: CommentedMap, name: str | None) -> tuple[str, CommentedMap]:
    defs = project.get("pipeline_definitions")
    if not isinstance(defs, CommentedMap) or not defs:
        raise ReconcilerError(
            "the project declares no pipeline_definitions: add the definition the schedule "
            "triggers belong to (export shows those CircleCI has)"
        )
    if name is None:
        if len(defs) != 1:
            raise ReconcilerError(
                f"the project has {len(defs)} definitions: pick one with --definition"
            )
        name = str(next(iter(defs)))
    if name not in defs:
        raise ReconcilerError(
            f"definition {name!r} is not in the project ({', '.join(map(str, defs))})"
        )
    return name, defs[name]


def convert(path: Path, slug: str, definition: str | None = None) -> Conversion:
    """The manifest at `path` with the project's schedules as triggers (not written)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    before = path.read_text(encoding="utf-8")
    data = yaml.load(before)
    project = _project(data, slug)
    schedules = project.get("schedules")
    if not isinstance(schedules, Mapping) or not schedules:
        raise ReconcilerError(f"project {slug} declares no schedules to convert")
    name, target = _definition(project, definition)
    notes = []
    triggers = target.get("triggers")
    if triggers is None:
        notes.append(
            f"definition {name!r} listed no triggers, so its other triggers were left alone; "
            "now the list is the manifest's: review the plan's deletes"
        )
        target["triggers"] = triggers = CommentedMap()
    made, problems = [], []
    for sname, schedule in schedules.items():  # every problem at once, nothing written
        try:
            if sname in triggers:
                raise NotConvertible(f"definition {name!r} already has a trigger named {sname!r}")
            triggers[sname] = trigger_of(str(sname), schedule)
        except NotConvertible as exc:
            problems.append(str(exc))
        made.append(str(sname))
    if problems:
        raise NotConvertible("\n".join(problems))
    # Left empty, not removed: an absent key would leave the legacy schedules in place.
    project["schedules"] = CommentedMap()
    project.yaml_add_eol_comment(
        f"converted to schedule triggers of {name!r}; remove the key once applied", "schedules"
    )
    out = io.StringIO()
    yaml.dump(data, out)
    after = out.getvalue()
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=str(path),
            tofile=f"{path} (converted)",
        )
    )
    return Conversion(after, diff, made, notes)
