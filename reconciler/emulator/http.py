"""What every handler works with: the request context, error exits, bodies and pagination."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request

from reconciler.emulator.world import Record, World

JSON = "application/json"


class Fail(Exception):
    """Stop handling and answer `{"message": message}` with this status."""

    def __init__(self, status: int, message: str, content_type: str = JSON) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.content_type = content_type


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


# (path under /api, method, handler). A handler whose routes word errors as `{"error": ...}`
# (not `{"message": ...}`) carries `error_key = "error"`: injected 500s then use it too.
Route = tuple[str, str, Callable[..., Reply]]


@dataclass(frozen=True)
class SeedKey:
    """A seed key a handler module reads: `key` on every `level` ("project" or
    "organization") entry of a seed. `load(world, record, value, where)` builds its records
    once every project and user exists; it raises ValueError (or Fail) with a message that
    names no seeded value."""

    level: str
    key: str
    load: Callable[[World, Record, Any, str], None]


@dataclass
class Ctx:
    request: Request
    world: World
    user: Record
    page_size: int
    page_secret: bytes
    raw_path: str  # as sent, before %-decoding (some routes refuse an escaped slug)

    # ---- bodies ------------------------------------------------------------------------
    def body(self, invalid: str = "Invalid JSON body.") -> Any:
        raw = self.request.get_data(cache=True)
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise Fail(400, invalid) from None

    def object_body(
        self,
        allowed: AbstractSet[str],
        required: AbstractSet[str] = frozenset(),
        strict: bool = True,
    ) -> dict[str, Any]:
        """A JSON object with these keys; CircleCI's improper-payload messages otherwise."""
        data = self.body()
        if not isinstance(data, dict):
            raise Fail(400, "Unexpected request body provided.")
        unknown = sorted(set(data) - allowed)
        if strict and unknown:
            raise Fail(400, f"Unexpected JSON field '{unknown[0]}'.")
        if required - set(data):
            raise Fail(400, "Missing one or more JSON fields.")
        return data

    # ---- access ------------------------------------------------------------------------
    def member_of(self, org_id: str) -> bool:
        return org_id in self.user["organizations"]

    def org(self, ref: str) -> Record:
        org = self.world.find_org(ref)
        if org is None or not self.member_of(org["id"]):
            raise Fail(404, "Organization does not exist.")
        return org

    def project(self, slug: str, missing: str = "Project not found") -> Record:
        project = self.world.find_project(slug)
        if project is None or not self.member_of(project["organization_id"]):
            raise Fail(404, missing)
        return project

    # ---- pagination --------------------------------------------------------------------
    def _sign(self, key: str, offset: int) -> str:
        mac = hmac.new(self.page_secret, f"{key}:{offset}".encode(), hashlib.sha256)
        return mac.hexdigest()[:16]

    @staticmethod
    def whole(items: list[Any]) -> dict[str, Any]:
        """The envelope of a list whose spec takes no page-token: everything, in one page."""
        return {"items": items, "next_page_token": None}

    def page(self, items: list[Any], key: str, size: int | None = None) -> dict[str, Any]:
        """One page of `items`; tokens are opaque, bound to the list `key`, 400 when garbled."""
        size = size or self.page_size
        token = self.request.args.get("page-token", "")
        offset = 0
        if token:
            try:
                text = base64.urlsafe_b64decode(token.encode() + b"==").decode()
                raw_offset, mac = text.split(".", 1)
                offset = int(raw_offset)
                valid = offset >= 0 and hmac.compare_digest(mac, self._sign(key, offset))
            except (ValueError, UnicodeDecodeError):
                valid = False
            if not valid:
                raise Fail(400, "Invalid page token.")
        chunk = items[offset : offset + size]
        nxt = offset + size
        next_token = None
        if nxt < len(items):
            raw = f"{nxt}.{self._sign(key, nxt)}".encode()
            next_token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return {"items": chunk, "next_page_token": next_token}
