"""API JSON to plain snake_case dicts, and snake_case request bodies to the API's spelling.

Real responses differ from the spec (kebab vs snake keys, `time` vs `created-at`, missing or
null timestamps), so readers accept every spelling seen and always fill the expected keys.
User data (schedule `parameters`) is copied verbatim: its keys belong to the user.
"""

from __future__ import annotations

from typing import Any

USER_DATA = frozenset({"parameters"})
SYSTEM_ACTOR_LOGIN = "system-actor"
SYSTEM_ACTOR_ID = "d9b3fcaa-6032-405a-8c75-40079ce33c3e"
Json = dict[str, Any]


def snake_keys(value: Any) -> Any:
    """Recursively turn `kebab-case` keys into `snake_case`, except inside user data.
    When both spellings are present, a non-null value wins."""
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: Json = {}
    for key, item in value.items():
        name = key.replace("-", "_") if isinstance(key, str) else key
        converted = item if name in USER_DATA else snake_keys(item)
        if name not in out or out[name] is None:
            out[name] = converted
    return out


def _shape(raw: Any, *fields: str) -> Json:
    data = snake_keys(raw) if isinstance(raw, dict) else {}
    for name in fields:
        data.setdefault(name, None)
    return data


def me(raw: Any) -> Json:
    return _shape(raw, "id", "login", "name", "avatar_url")


def organization(raw: Any) -> Json:
    return _shape(raw, "id", "name", "slug", "vcs_type")


def project(raw: Any) -> Json:
    data = _shape(
        raw, "id", "slug", "name", "organization_name", "organization_slug", "organization_id"
    )
    data["vcs_info"] = _shape(data.get("vcs_info"), "vcs_url", "provider", "default_branch")
    return data


_SHORT_VCS = {"github": "gh", "bitbucket": "bb"}


def followed_slug(raw: Any) -> str | None:
    """A v1.1 /projects item ({username, reponame, vcs_type}) as a gh/org/repo slug."""
    data = snake_keys(raw) if isinstance(raw, dict) else {}
    vcs, org, repo = data.get("vcs_type"), data.get("username"), data.get("reponame")
    if not (isinstance(vcs, str) and isinstance(org, str) and isinstance(repo, str)):
        return None
    if data.get("following") is False:
        return None
    return f"{_SHORT_VCS.get(vcs, vcs)}/{org}/{repo}"


def project_env_var(raw: Any) -> Json:
    return _shape(raw, "name", "value", "created_at")


def checkout_key(raw: Any) -> Json:
    data = _shape(raw, "fingerprint", "type", "preferred", "public_key", "created_at")
    if data["created_at"] is None:
        data["created_at"] = data.get("time")  # v1.1 spelling
    if data["type"] == "github-user-key":  # created as `user-key`, read back as this
        data["type"] = "user-key"
    if isinstance(data["public_key"], str):
        data["public_key"] = data["public_key"].strip()
    return data


def context(raw: Any) -> Json:
    return _shape(raw, "id", "name", "created_at")


def context_env_var(raw: Any, context_id: str | None = None) -> Json:
    data = _shape(raw, "context_id", "created_at", "updated_at", "truncated_value")
    data["name"] = data.pop("variable", None) or data.get("name")
    if data["context_id"] is None:
        data["context_id"] = context_id
    return data


def restriction(raw: Any, context_id: str | None = None) -> Json:
    data = _shape(
        raw, "id", "context_id", "restriction_type", "restriction_value", "name", "project_id"
    )
    if data["context_id"] is None:  # the create answer has no context_id
        data["context_id"] = context_id
    if not data["restriction_value"]:  # older answers carry only the deprecated project_id
        data["restriction_value"] = data["project_id"]
    return data


def schedule(raw: Any) -> Json:
    data = _shape(
        raw, "id", "name", "description", "parameters", "actor", "project_slug", "created_at"
    )
    data.setdefault("updated_at", None)
    data["timetable"] = _shape(
        data.get("timetable"), "per_hour", "hours_of_day", "days_of_week", "days_of_month", "months"
    )
    data["actor"] = _shape(data["actor"], "id", "login", "name", "avatar_url")
    if data.get("attribution_actor") is None:  # the API answers with the resolved actor only
        actor = data["actor"]
        system = actor["login"] == SYSTEM_ACTOR_LOGIN or actor["id"] == SYSTEM_ACTOR_ID
        data["attribution_actor"] = "system" if system else "current"
    return data


def webhook(raw: Any) -> Json:
    data = _shape(raw, "id", "name", "url", "verify_tls", "signing_secret", "events", "created_at")
    data.setdefault("updated_at", None)
    data["scope"] = _shape(data.get("scope"), "id", "type")
    return data


def group(raw: Any) -> Json:
    return _shape(raw, "id", "name", "description")


def settings(raw: Any) -> Json:
    """The `advanced` object of project settings, flat."""
    data = snake_keys(raw) if isinstance(raw, dict) else {}
    advanced = data.get("advanced", data)
    return dict(advanced) if isinstance(advanced, dict) else {}


def _kebab(body: Json, keys: frozenset[str]) -> Json:
    return {(k.replace("_", "-") if k in keys else k): v for k, v in body.items()}


_SCHEDULE_KEYS = frozenset({"attribution_actor"})
_TIMETABLE_KEYS = frozenset({"per_hour", "hours_of_day", "days_of_week", "days_of_month"})
_WEBHOOK_KEYS = frozenset({"verify_tls", "signing_secret"})


def schedule_body(body: Json) -> Json:
    """A schedule create/update body in snake_case (or already kebab) to the API's kebab-case.
    `parameters` is passed through untouched."""
    out = _kebab(body, _SCHEDULE_KEYS)
    if isinstance(out.get("timetable"), dict):
        out["timetable"] = _kebab(out["timetable"], _TIMETABLE_KEYS)
    return out


def webhook_body(body: Json) -> Json:
    return _kebab(body, _WEBHOOK_KEYS)
