"""One exported project: settings, env vars, checkout keys, schedules, webhooks.

A collection written in a manifest is authoritative, so an object that cannot be written
back faithfully is never silently dropped (apply would delete it): it is named in
`policy.ignore` through `HandsOff`, with a comment saying why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reconciler.exporting.live import LiveProject, Unreadable
from reconciler.exporting.placeholders import Placeholders
from reconciler.exporting.yamltext import Block, Flow
from reconciler.manifest import ProjectSettings, Schedule, Webhook
from reconciler.manifest.names import env_name_problem
from reconciler.resources.schedule import timetable as normal_timetable

KEY_TYPES = ("deploy-key", "user-key")
SYSTEM = "system"


@dataclass
class HandsOff:
    """Live objects the manifest must leave alone: policy.ignore category -> names."""

    names: dict[str, set[str]] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)

    def add(self, category: str, name: str, why: str) -> None:
        self.names.setdefault(category, set()).add(name)
        self.why.append(why)


def _errors(exc: ValidationError) -> str:
    return "; ".join(str(e.get("msg", "")) for e in exc.errors()[:3])


def settings(data: dict[str, Any]) -> tuple[Block, list[str]]:
    known = ProjectSettings.model_fields
    out, notes = Block(), []
    for key in sorted(data):
        value = data[key]
        if key == "oss":
            continue  # read-only: CircleCI refuses a settings change that holds it
        if key not in known:
            notes.append(f"setting {key} is reported by CircleCI but not managed by this tool")
        elif key == "pr_only_branch_overrides" and isinstance(value, list):
            out.add(key, Flow(sorted(str(v) for v in value)))
        elif isinstance(value, bool):
            out.add(key, value)
        else:
            notes.append(f"setting {key} has an unexpected value in CircleCI; left out")
    return out, notes


def env_vars(p: LiveProject, items: list[dict[str, Any]], ph: Placeholders, off: HandsOff) -> Block:
    out = Block()
    for item in sorted(items, key=lambda i: str(i["name"])):
        name = str(item["name"])
        if env_name_problem(name):
            off.add("env_vars", name, f"env var {name!r} of {p.slug}: not a valid manifest name")
            continue
        out.add(name, Flow({"env": ph.project_env_var(p.slug, name, p.name)}))
    return out


def checkout_keys(keys: list[dict[str, Any]]) -> tuple[Flow | None, str]:
    """The key types, or None (hands-off) with the reason when a list would delete keys."""
    n = Counter(str(k.get("type")) for k in keys)
    odd = sorted(t for t in n if t not in KEY_TYPES)
    if odd:
        return None, f"left out: CircleCI reports key types this tool does not know ({odd})"
    twice = sorted(t for t, count in n.items() if count > 1)
    if twice:
        return None, (
            f"left out: {', '.join(twice)} keys are live more than once, and listing the type "
            "would delete all but the preferred one"
        )
    return Flow(sorted(n)), ""


def _named(items: list[dict[str, Any]], make: Callable[[dict[str, Any]], Any]) -> Block:
    """A mapping by name, sorted; items that cannot be written faithfully are left out."""
    block = Block()
    for item in sorted(items, key=lambda i: str(i["name"])):
        made = make(item)
        if made is not None:
            block.add(str(item["name"]), made)
    return block


def schedule(p: LiveProject, s: dict[str, Any], user_id: str, off: HandsOff) -> Block | None:
    actor = str(s.get("attribution_actor") or "current")
    description = s.get("description") or None
    parameters: dict[str, Any] = dict(s.get("parameters") or {})
    timetable = normal_timetable(s.get("timetable") or {})
    data: dict[str, Any] = {
        "attribution_actor": actor,
        "parameters": parameters,
        "timetable": timetable,
    }
    if description is not None:
        data["description"] = description
    try:
        Schedule.model_validate(data)
    except ValidationError as exc:
        off.add("schedules", s["name"], f"schedule {s['name']!r} of {p.slug}: {_errors(exc)}")
        return None
    out = Block()
    who = (s.get("actor") or {}).get("id")
    note = ""
    if actor != SYSTEM and who and user_id and who != user_id:
        login = (s.get("actor") or {}).get("login") or who
        note = f"runs as {login}; `current` means the user whose token applies this manifest"
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


def webhook(p: LiveProject, h: dict[str, Any], ph: Placeholders, off: HandsOff) -> Block | None:
    events = sorted({str(e) for e in h.get("events") or []})
    verify = h.get("verify_tls")
    data: dict[str, Any] = {"url": h.get("url"), "events": events}
    data["verify_tls"] = True if verify is None else verify
    try:
        Webhook.model_validate(data)
    except ValidationError as exc:
        off.add("webhooks", h["name"], f"webhook {h['name']!r} of {p.slug}: {_errors(exc)}")
        return None
    out = Block()
    out.add("events", Flow(events))
    if h.get("signing_secret"):  # shown masked when set; empty when there is none
        out.add("signing_secret", Flow({"env": ph.webhook_secret(p.slug, h["name"], p.name)}))
    out.add("url", data["url"])
    out.add("verify_tls", data["verify_tls"])
    return out


def project(p: LiveProject, user_id: str, ph: Placeholders, off: HandsOff) -> Block:
    out = Block()
    notes: list[str] = []

    def unreadable(key: str) -> bool:
        value = p.reads.get(key)
        if isinstance(value, Unreadable):
            notes.append(f"{key}: could not be read ({value.reason}); left out, so left alone")
        return isinstance(value, Unreadable) or value is None

    if not unreadable("checkout_keys"):
        keys, reason = checkout_keys(p.reads["checkout_keys"])
        if keys is None:
            notes.append(f"checkout_keys: {reason}")
        else:
            out.add("checkout_keys", keys)
    if not unreadable("env_vars"):
        out.add("env_vars", env_vars(p, p.reads["env_vars"], ph, off))
    if not unreadable("schedules"):
        out.add("schedules", _named(p.reads["schedules"], lambda s: schedule(p, s, user_id, off)))
    if not unreadable("settings"):
        advanced, unmanaged = settings(p.reads["settings"])
        notes += unmanaged
        out.add("settings", advanced)
    if not unreadable("webhooks"):
        out.add("webhooks", _named(p.reads["webhooks"], lambda h: webhook(p, h, ph, off)))
    out.notes = notes
    return out
