"""CircleCI as the reconciler sees it: one method per endpoint, plain snake_case dicts back.

Creates pass a probe to the chokepoint that re-lists and finds the new object by its
identity, so an ambiguous failure (5xx, lost answer) never creates a second context,
schedule, webhook or restriction. Deletes answer False when the object was already gone.
A 403 is never read as "gone": it stays PermissionDenied (a deleted context answers 403).
Secret values arrive as plain str and only ever travel in a request body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote

from reconciler.client import normalize as norm
from reconciler.client.config import ClientConfig
from reconciler.client.http import HttpClient
from reconciler.client.slugs import escaped, is_uuid, org_path, same_org, segments, v1_project
from reconciler.errors import (
    ApiError,
    BadRequest,
    NotFound,
    PermissionDenied,
    ServerError,
    TransportError,
)

Json = dict[str, Any]
T = TypeVar("T")
R = TypeVar("R")


def _find(items: list[Json], **want: Any) -> Json | None:
    for item in items:
        if all(item.get(k) == v for k, v in want.items()):
            return item
    return None


class CircleCI:
    def __init__(self, config: ClientConfig, *, http: HttpClient | None = None) -> None:
        self.config = config
        self.http = http or HttpClient(config)

    def __repr__(self) -> str:
        return f"CircleCI(host={self.config.host!r})"

    def close(self) -> None:
        self.http.close()

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return self.http.map(fn, items)

    def _delete(self, path: str, *, api: str = "v2") -> bool:
        try:
            self.http.request("DELETE", path, api=api)
        except NotFound:
            return False
        return True

    # Generic routes. A kind whose calls need nothing more than these (one path, JSON in,
    # JSON out) speaks through them from its own module, so a new kind adds no method here.
    # Answers come back snake_cased; user data (`parameters`) is kept verbatim.

    def get(self, path: str, *, params: Json | None = None, api: str = "v2") -> Json | None:
        """One object; None when CircleCI answers 404."""
        try:
            return _snake(self.http.request("GET", path, api=api, params=params))
        except NotFound:
            return None

    def get_all(self, path: str, *, params: Json | None = None) -> list[Json]:
        """Every item of a paginated list (`items` + `next_page_token`)."""
        return [_snake(i) for i in self.http.get_all(path, params=params)]

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Json | None = None,
        probe: Callable[[], Json | None] | None = None,
    ) -> Json:
        """A write with a body in the API's own spelling. A POST with a `probe` (which finds
        the object the POST would have made) is never repeated blindly."""
        answer = self.http.request(method, path, json=body, params=params, probe=probe)
        return _snake(answer) if isinstance(answer, dict) else {}

    def exchange_object(
        self, method: str, path: str, body: Any = None, *, params: Json | None = None
    ) -> Json | None:
        """An answer that must be a JSON object whose keys are names, not fields (a policy
        bundle): as sent; None for a GET answered 404; ApiError for anything but an object
        (`{}` is an answer, a page of HTML is not). A POST here is safe to repeat."""
        try:
            answer = self.http.request(method, path, json=body, params=params, probe=lambda: None)
        except NotFound:
            if method != "GET":
                raise
            return None
        if not isinstance(answer, dict):
            raise ApiError(
                "CircleCI sent an answer that is not a JSON object", method=method, path=path
            )
        return answer

    def delete(self, path: str) -> bool:
        """False when the object was already gone (404)."""
        return self._delete(path)

    # identity and organizations

    def me(self) -> Json:
        return norm.me(self.http.request("GET", "/me"))

    def collaborations(self) -> list[Json]:
        body = self.http.request("GET", "/me/collaborations")
        return [norm.organization(o) for o in (body if isinstance(body, list) else [])]

    def get_organization(self, slug_or_id: str) -> Json:
        """By slug or UUID. The token's collaborations come first: that route is in every
        version of the spec, while GET /organization/{org} exists only in newer ones and is
        asked only for an organization the collaborations do not list."""
        listed = None
        for org in self.collaborations():
            if org["id"] == slug_or_id or (org["slug"] and same_org(org["slug"], slug_or_id)):
                listed = org
                break
        if listed is not None and listed["id"]:
            return listed
        try:  # not listed, or listed without an id (the spec allows a null id)
            return norm.organization(
                self.http.request("GET", f"/organization/{org_path(slug_or_id)}")
            )
        except NotFound:
            if listed is not None:
                return listed
            raise NotFound(
                f"organization {slug_or_id} not found among this token's organizations"
            ) from None

    # projects

    def get_project(self, slug: str) -> Json | None:
        """None when it does not exist. A standalone slug whose key is not one (a name, say)
        answers 400 rather than 404 (circleci-cli PR #1647): no such project either."""
        try:
            return norm.project(self.http.request("GET", f"/project/{escaped(slug)}"))
        except NotFound:
            return None
        except BadRequest:
            if slug.startswith("circleci/"):
                return None
            raise

    def create_project(self, org_slug: str, name: str) -> Json:
        # Readable orgs give a predictable slug to look for; opaque (circleci/) ones do not.
        guess = f"{org_slug.strip('/')}/{name}"
        probe = None if org_slug.startswith("circleci/") else (lambda: self.get_project(guess))
        body = self.http.request(
            "POST", f"/organization/{org_path(org_slug)}/project", json={"name": name}, probe=probe
        )
        return norm.project(body)

    def follow_project(self, slug: str) -> Json:
        # Following twice is harmless, so after a lost answer it is safe to POST again.
        body = self.http.request(
            "POST", f"/project/{v1_project(slug)}/follow", api="v1.1", probe=lambda: None
        )
        return norm.snake_keys(body) if isinstance(body, dict) else {}

    def followed_projects(self) -> list[str]:
        """Slugs (gh/org/repo) of the projects the token's user follows (v1.1, bare array)."""
        body = self.http.request("GET", "/projects", api="v1.1")
        items = body if isinstance(body, list) else []
        return [s for s in (norm.followed_slug(i) for i in items) if s]

    def get_project_settings(self, slug: str) -> Json:
        return norm.settings(self.http.request("GET", f"/project/{segments(slug)}/settings"))

    def patch_project_settings(self, slug: str, advanced: Json) -> Json:
        body = self.http.request(
            "PATCH", f"/project/{segments(slug)}/settings", json={"advanced": advanced}
        )
        return norm.settings(body)

    # project env vars and checkout keys

    def list_project_env_vars(self, slug: str) -> list[Json]:
        items = self.http.get_all(f"/project/{escaped(slug)}/envvar")
        return [norm.project_env_var(i) for i in items]

    def create_project_env_var(self, slug: str, name: str, value: str) -> Json:
        # POST is an upsert here: repeating it rewrites the same value, so always safe.
        body = self.http.request(
            "POST",
            f"/project/{escaped(slug)}/envvar",
            json={"name": name, "value": value},
            probe=lambda: None,
        )
        return norm.project_env_var(body)

    def delete_project_env_var(self, slug: str, name: str) -> bool:
        return self._delete(f"/project/{escaped(slug)}/envvar/{_seg(name)}")

    def list_checkout_keys(self, slug: str) -> list[Json]:
        items = self.http.get_all(f"/project/{escaped(slug)}/checkout-key")
        return [norm.checkout_key(i) for i in items]

    def create_checkout_key(self, slug: str, type: str) -> Json:
        """`deploy-key` or `user-key`. Keys have no name, so the probe looks for a key of
        this type whose fingerprint was not there before the POST."""
        wire = "user-key" if type == "github-user-key" else type
        before = {k["fingerprint"] for k in self.list_checkout_keys(slug)}

        def probe() -> Json | None:
            for key in self.list_checkout_keys(slug):
                if key["fingerprint"] not in before and key["type"] == wire:
                    return key
            return None

        path = f"/project/{escaped(slug)}/checkout-key"
        if wire != "user-key":
            return norm.checkout_key(
                self.http.request("POST", path, json={"type": wire}, probe=probe)
            )
        # CircleCI answers 500 to a user key when the token's user has not authorised GitHub
        # (circleci-cli PR #1647): retrying cannot help, so one attempt, one look, one message.
        try:
            body = self.http.request("POST", path, json={"type": wire})
        except (ServerError, TransportError) as exc:
            found = probe()
            if found is not None:
                return found
            if isinstance(exc, TransportError):
                raise
            raise ServerError(
                "CircleCI could not create a user key. It answers so when the "
                "token's user has not authorised CircleCI on GitHub: sign in to CircleCI with "
                "GitHub as that user (User Settings > Account Integrations), then apply again",
                status=500,
                method="POST",
                path=f"/api/v2{path}",
            ) from None
        return norm.checkout_key(body)

    def delete_checkout_key(self, slug: str, fingerprint: str) -> bool:
        fp = _seg(fingerprint, safe=":")  # md5 colon form verbatim; sha256 escaped
        return self._delete(f"/project/{escaped(slug)}/checkout-key/{fp}")

    # contexts

    def list_contexts(self, org_id: str) -> list[Json]:
        owner = "owner-id" if is_uuid(org_id) else "owner-slug"
        items = self.http.get_all("/context", params={owner: org_id, "owner-type": "organization"})
        return [norm.context(i) for i in items]

    def get_context(self, context_id: str) -> Json | None:
        """None when it does not exist (404); a 403 is raised, never read as gone."""
        try:
            return norm.context(self.http.request("GET", f"/context/{_seg(context_id)}"))
        except NotFound:
            return None

    def create_context(self, org_id: str, name: str) -> Json:
        owner = {"id": org_id, "type": "organization"} if is_uuid(org_id) else {"slug": org_id}
        body = self.http.request(
            "POST",
            "/context",
            json={"name": name, "owner": owner},
            probe=lambda: _find(self.list_contexts(org_id), name=name),
        )
        return norm.context(body)

    def delete_context(self, context_id: str, org_id: str = "") -> bool:
        """A deleted context answers 403, so a DELETE repeated after a lost answer may too:
        with the owner's id, listing its contexts tells whether it is gone (False) or the
        403 is a real refusal (raised)."""
        try:
            return self._delete(f"/context/{_seg(context_id)}")
        except PermissionDenied:
            if not org_id or _find(self.list_contexts(org_id), id=context_id) is not None:
                raise
            return False

    def list_context_env_vars(self, context_id: str) -> list[Json]:
        items = self.http.get_all(f"/context/{_seg(context_id)}/environment-variable")
        return [norm.context_env_var(i, context_id) for i in items]

    def put_context_env_var(self, context_id: str, name: str, value: str) -> Json:
        path = f"/context/{_seg(context_id)}/environment-variable/{_seg(name)}"
        body = self.http.request("PUT", path, json={"value": value})
        if isinstance(body, dict) and "variable" in body:
            return norm.context_env_var(body, context_id)
        return norm.context_env_var({"variable": name}, context_id)  # the {message} form

    def delete_context_env_var(self, context_id: str, name: str) -> bool:
        return self._delete(f"/context/{_seg(context_id)}/environment-variable/{_seg(name)}")

    def list_context_restrictions(self, context_id: str) -> list[Json]:
        items = self.http.get_all(f"/context/{_seg(context_id)}/restrictions")
        return [norm.restriction(i, context_id) for i in items]

    def create_context_restriction(self, context_id: str, type: str, value: str) -> Json:
        def probe() -> Json | None:
            found = self.list_context_restrictions(context_id)
            return _find(found, restriction_type=type, restriction_value=value)

        body = self.http.request(
            "POST",
            f"/context/{_seg(context_id)}/restrictions",
            json={"restriction_type": type, "restriction_value": value},
            probe=probe,
        )
        return norm.restriction(body, context_id)

    def delete_context_restriction(self, context_id: str, restriction_id: str) -> bool:
        return self._delete(f"/context/{_seg(context_id)}/restrictions/{_seg(restriction_id)}")

    # schedules

    def list_schedules(self, slug: str) -> list[Json]:
        return [norm.schedule(i) for i in self.http.get_all(f"/project/{escaped(slug)}/schedule")]

    def create_schedule(self, slug: str, body: Json) -> Json:
        """`body` in snake_case (manifest spelling); sent in the API's kebab-case."""
        name = body.get("name")
        answer = self.http.request(
            "POST",
            f"/project/{escaped(slug)}/schedule",
            json=norm.schedule_body(body),
            probe=lambda: _find(self.list_schedules(slug), name=name),
        )
        return norm.schedule(answer)

    def update_schedule(self, schedule_id: str, body: Json) -> Json:
        path = f"/schedule/{_seg(schedule_id)}"
        return norm.schedule(self.http.request("PATCH", path, json=norm.schedule_body(body)))

    def delete_schedule(self, schedule_id: str) -> bool:
        return self._delete(f"/schedule/{_seg(schedule_id)}")

    # webhooks

    def list_webhooks(self, project_id: str) -> list[Json]:
        params = {"scope-id": project_id, "scope-type": "project"}
        return [norm.webhook(i) for i in self.http.get_all("/webhook", params=params)]

    def create_webhook(self, body: Json) -> Json:
        """`body` in snake_case with `scope: {id: <project uuid>, type: project}`."""
        scope_id: str = (body.get("scope") or {}).get("id") or ""
        name = body.get("name")

        def probe() -> Json | None:
            return _find(self.list_webhooks(scope_id), name=name)

        answer = self.http.request(
            "POST", "/webhook", json=norm.webhook_body(body), probe=probe if scope_id else None
        )
        return norm.webhook(answer)

    def update_webhook(self, webhook_id: str, body: Json) -> Json:
        path = f"/webhook/{_seg(webhook_id)}"
        return norm.webhook(self.http.request("PUT", path, json=norm.webhook_body(body)))

    def delete_webhook(self, webhook_id: str) -> bool:
        return self._delete(f"/webhook/{_seg(webhook_id)}")

    # groups

    def list_groups(self, org_id: str) -> list[Json]:
        items = self.http.get_all(f"/organizations/{_seg(org_id)}/groups")
        return [norm.group(i) for i in items]


def _snake(value: Any) -> Json:
    out = norm.snake_keys(value)
    return out if isinstance(out, dict) else {}


def seg(value: str, safe: str = "") -> str:
    """One path segment: ids and names escaped so they can never add a segment."""
    return quote(value, safe=safe)


_seg = seg
