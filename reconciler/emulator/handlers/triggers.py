"""Triggers of pipeline definitions (ENDPOINTS.md §12 with the newer spec's `schedule`
provider and `parameters`). Listed and created under their definition; read, changed and
deleted by project id and trigger id alone, and the answer never names the definition.

The refusals are the spec's: provider and repository cannot change; a preset only for
github_app; a webhook object only for webhook, a schedule only for schedule; refs required
for webhook and schedule, and for repository triggers only when the event repository is not
the definition's; event_name for webhook and schedule only; `disabled` changed only on
webhook triggers and never set on GitHub OAuth definitions; a repository trigger's provider
matches its definition's. A webhook trigger gets a URL carrying a secret.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from reconciler.emulator.handlers import pipelines as defs
from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import new_id
from reconciler.emulator.world import Record, World

TABLE = "pipeline_triggers"
PROVIDERS = {"github_app", "github_oauth", "webhook", "schedule"}
REPO_PROVIDERS = {"github_app", "github_oauth"}
NAMED = {"webhook", "schedule"}
PRESETS = {
    "all-pushes", "only-tags", "default-branch-pushes", "only-build-prs", "only-open-prs",
    "only-labeled-prs", "only-merged-prs", "only-ready-for-review-prs", "only-branch-delete",
    "only-build-pushes-to-non-draft-prs", "only-merged-or-closed-prs",
    "pr-comment-equals-run-ci", "non-draft-pr-opened", "pushes-to-merge-queues",
}  # fmt: skip
ACTORS = {"current", "system"}
_CRON_PART = re.compile(r"^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[1-9][0-9]*)?$")
_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
_NAMES = [
    [],
    [],
    [],
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(),
    "SUN MON TUE WED THU FRI SAT".split(),
]


def valid_cron(expr: Any) -> bool:
    if not isinstance(expr, str) or len(expr.split()) != 5:
        return False
    for text, (low, high), names in zip(expr.split(), _RANGES, _NAMES, strict=True):
        for piece in text.split(","):
            match = _CRON_PART.match(piece)
            if not match:
                return False
            numbers = []
            for value in match.group(1).split("-"):
                if value == "*":
                    continue
                if value.upper() in names:
                    numbers.append(names.index(value.upper()) + low)  # JAN is 1, SUN 0
                    continue
                if not value.isdigit() or not low <= int(value) <= high:
                    return False
                numbers.append(int(value))
            if numbers != sorted(numbers):  # a range runs forwards: 5-2 is refused
                return False
    return True


def view(world: World, t: Record) -> dict[str, Any]:
    source: dict[str, Any] = {"provider": t["provider"]}
    if t["provider"] in REPO_PROVIDERS:
        source["repo"] = defs.repo_view(world, t["repo"])
    if t["provider"] == "webhook":
        source["webhook"] = {"url": t["url"], "sender": t["sender"] or ""}
    if t["provider"] == "schedule":  # the answer has no attribution_actor ([new])
        source["schedule"] = {"cron_expression": t["cron_expression"]}
    out: dict[str, Any] = {"id": t["id"], "created_at": t["created_at"], "event_source": source}
    for key in ("event_name", "event_preset", "checkout_ref", "config_ref"):
        if t.get(key):
            out[key] = t[key]
    out["disabled"] = t["disabled"]
    if t["provider"] == "schedule":
        out["parameters"] = dict(t["parameters"])
    return out


def _source(world: World, project: Record, d: Record, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise defs.incorrect("event_source")
    extra = sorted(set(raw) - {"provider", "repo", "webhook", "schedule"})
    if extra:
        raise defs.unexpected(f"event_source.{extra[0]}")
    provider = raw.get("provider")
    if provider is None:
        raise defs.missing()
    if provider not in PROVIDERS:
        raise defs.incorrect("event_source.provider")
    if provider in REPO_PROVIDERS and (provider == defs.OAUTH) != (
        d["config_provider"] == defs.OAUTH
    ):
        raise Fail(400, f"Provider '{provider}' does not match the pipeline definition.")
    out: dict[str, Any] = {"provider": provider, "repo": None, "sender": None, "url": None}
    if ("repo" in raw) != (provider in REPO_PROVIDERS):
        raise defs.missing() if provider in REPO_PROVIDERS else defs.unexpected("event_source.repo")
    if provider in REPO_PROVIDERS:
        out["repo"] = defs.known_repo(world, project, raw["repo"], "event_source.repo")
    if "webhook" in raw and provider != "webhook":
        raise defs.unexpected("event_source.webhook")
    if provider == "webhook":
        out["sender"] = _sender(raw.get("webhook") or {})
        out["url"] = f"https://circleci.example/hooks/{new_id()}?secret={secrets.token_hex(16)}"
    if ("schedule" in raw) != (provider == "schedule"):
        raise defs.missing() if provider == "schedule" else defs.unexpected("event_source.schedule")
    if provider == "schedule":
        out.update(_schedule(raw["schedule"], partial=False))
    return out


def _sender(raw: Any) -> str | None:
    if not isinstance(raw, dict) or set(raw) - {"sender"}:
        raise defs.incorrect("event_source.webhook")
    if not isinstance(raw.get("sender", ""), str):
        raise defs.incorrect("event_source.webhook.sender")
    sender: str | None = raw.get("sender")
    return sender


def _schedule(raw: Any, partial: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise defs.incorrect("event_source.schedule")
    extra = sorted(set(raw) - {"cron_expression", "attribution_actor"})
    if extra:
        raise defs.unexpected(f"event_source.schedule.{extra[0]}")
    out: dict[str, Any] = {}
    if "cron_expression" in raw or not partial:
        if not valid_cron(raw.get("cron_expression")):
            raise Fail(400, "Invalid cron expression.")
        out["cron_expression"] = raw["cron_expression"]
    if "attribution_actor" in raw or not partial:
        actor = raw.get("attribution_actor", "current")
        if actor not in ACTORS:
            raise defs.incorrect("event_source.schedule.attribution_actor")
        out["attribution_actor"] = actor
    return out


def _parameters(raw: Any) -> dict[str, Any]:
    ok = isinstance(raw, dict) and all(isinstance(v, (str, int, bool)) for v in raw.values())
    if not ok:
        raise defs.incorrect("parameters")
    return dict(raw)


def _options(data: dict[str, Any], t: dict[str, Any], d: Record, creating: bool) -> None:
    """The fields beside event_source, checked against the provider; written into `t`."""
    provider = t["provider"]
    if "event_preset" in data:
        if provider != "github_app":
            raise Fail(400, f"event_preset is not supported for provider '{provider}'.")
        if data["event_preset"] not in PRESETS:
            raise defs.incorrect("event_preset")
        t["event_preset"] = data["event_preset"]
    # Refs: for webhook and schedule triggers, and for repository triggers only when the
    # event repository is neither of the definition's (then they are needed too).
    own = provider in REPO_PROVIDERS and t["repo"] in (d["checkout_repo"], d["config_repo"])
    for key in ("checkout_ref", "config_ref"):
        if key in data:
            if not isinstance(data[key], str) or not data[key]:
                raise defs.incorrect(key)
            if own:
                raise Fail(
                    400, f"{key} must be omitted when the event repository is the definition's."
                )
            t[key] = data[key]
        elif creating and (provider in NAMED or (provider in REPO_PROVIDERS and not own)):
            raise defs.missing()
    if "event_name" in data:
        if provider not in NAMED or not isinstance(data["event_name"], str):
            raise (
                defs.unexpected("event_name")
                if provider not in NAMED
                else defs.incorrect("event_name")
            )
        t["event_name"] = data["event_name"]
    elif creating and provider in NAMED:
        raise defs.missing()
    if "disabled" in data:
        if not isinstance(data["disabled"], bool):
            raise defs.incorrect("disabled")
        if d["config_provider"] == defs.OAUTH or (not creating and provider != "webhook"):
            raise Fail(400, f"disabled cannot be set for this trigger (provider '{provider}').")
        t["disabled"] = data["disabled"]
    if "parameters" in data:
        if provider != "schedule":
            raise defs.unexpected("parameters")
        t["parameters"] = _parameters(data["parameters"])


ALLOWED = {"event_source", "event_preset", "checkout_ref", "config_ref", "event_name", "disabled"}
ALLOWED = ALLOWED | {"parameters"}


def add(world: World, project: Record, d: Record, t: dict[str, Any]) -> Record:
    record = {
        "id": new_id(),
        "project_id": project["id"],
        "definition_id": d["id"],
        "created_at": world.clock.now(),
        "disabled": False,
        "parameters": {},
        **t,
    }
    world.table(TABLE)[record["id"]] = record
    return record


def list_triggers(ctx: Ctx, project_id: str, definition_id: str) -> Reply:
    d = defs.find(ctx, project_id, definition_id)
    found = [t for t in ctx.world.table(TABLE).values() if t["definition_id"] == d["id"]]
    found.sort(key=lambda t: (t["created_at"], t["id"]))
    return Reply(200, {"items": [view(ctx.world, t) for t in found]})


def create_trigger(ctx: Ctx, project_id: str, definition_id: str) -> Reply:
    d = defs.find(ctx, project_id, definition_id)
    project = ctx.world.projects[d["project_id"]]
    data = ctx.object_body(ALLOWED, {"event_source"})
    t = _source(ctx.world, project, d, data["event_source"])
    _options(data, t, d, creating=True)
    return Reply(200, view(ctx.world, add(ctx.world, project, d, t)))


def _find(ctx: Ctx, project_id: str, trigger_id: str) -> Record:
    project = defs.project_by_id(ctx, project_id)
    found = ctx.world.table(TABLE).get(trigger_id.lower())
    if found is None or found["project_id"] != project["id"]:
        raise Fail(404, "Trigger not found.")
    return found


def get_trigger(ctx: Ctx, project_id: str, trigger_id: str) -> Reply:
    return Reply(200, view(ctx.world, _find(ctx, project_id, trigger_id)))


def update_trigger(ctx: Ctx, project_id: str, trigger_id: str) -> Reply:
    found = _find(ctx, project_id, trigger_id)
    d = ctx.world.table(defs.TABLE)[found["definition_id"]]
    data = ctx.object_body(ALLOWED)
    changes = dict(found)
    raw = data.get("event_source")
    if raw is not None:
        if not isinstance(raw, dict):
            raise defs.incorrect("event_source")
        extra = sorted(set(raw) - {"webhook", "schedule"})  # provider and repo cannot change
        if extra:
            raise defs.unexpected(f"event_source.{extra[0]}")
        if "webhook" in raw:
            if found["provider"] != "webhook":
                raise defs.unexpected("event_source.webhook")
            changes["sender"] = _sender(raw["webhook"])
        if "schedule" in raw:
            if found["provider"] != "schedule":
                raise defs.unexpected("event_source.schedule")
            changes.update(_schedule(raw["schedule"], partial=True))
    _options(data, changes, d, creating=False)
    found.update(changes)
    return Reply(200, view(ctx.world, found))


def delete_trigger(ctx: Ctx, project_id: str, trigger_id: str) -> Reply:
    del ctx.world.table(TABLE)[_find(ctx, project_id, trigger_id)["id"]]
    return Reply(200, {"message": "Trigger deleted."})


def seed_trigger(world: World, project: Record, d: Record, name: str, raw: Any) -> None:
    """A trigger in the manifest's shape; the name is its event_name where it takes one."""
    if not isinstance(raw, dict) or raw.get("provider") not in PROVIDERS:
        raise ValueError(f"trigger {name}: needs a provider ({', '.join(sorted(PROVIDERS))})")
    provider = raw["provider"]
    t: dict[str, Any] = {"provider": provider, "repo": None, "sender": None, "url": None}
    if provider in REPO_PROVIDERS:
        t["repo"] = defs.seed_repo_id(world, project, raw.get("repo", _checkout_name(world, d)))
    if provider == "webhook":
        t["sender"] = raw.get("sender")
        t["url"] = f"https://circleci.example/hooks/{new_id()}?secret={secrets.token_hex(16)}"
    if provider == "schedule":
        if not valid_cron(raw.get("cron_expression")):
            raise ValueError(f"trigger {name}: needs a valid cron_expression")
        t["cron_expression"] = raw["cron_expression"]
        t["attribution_actor"] = raw.get("attribution_actor", "current")
        t["parameters"] = dict(raw.get("parameters") or {})
    if provider in NAMED:
        t["event_name"] = name
    for key in ("event_preset", "checkout_ref", "config_ref", "disabled"):
        if key in raw:
            t[key] = raw[key]
    add(world, project, d, t)


def _checkout_name(world: World, d: Record) -> str:
    return str(world.table(defs.REPOS)[d["checkout_repo"]]["full_name"])


ROUTES: list[Route] = [
    (
        "/v2/projects/<project_id>/pipeline-definitions/<definition_id>/triggers",
        "GET",
        list_triggers,
    ),
    (
        "/v2/projects/<project_id>/pipeline-definitions/<definition_id>/triggers",
        "POST",
        create_trigger,
    ),
    ("/v2/projects/<project_id>/triggers/<trigger_id>", "GET", get_trigger),
    ("/v2/projects/<project_id>/triggers/<trigger_id>", "PATCH", update_trigger),
    ("/v2/projects/<project_id>/triggers/<trigger_id>", "DELETE", delete_trigger),
]
