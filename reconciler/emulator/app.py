"""The WSGI application: admin routes, then for /api/ the pipeline
latency -> rate limit -> fault -> route -> auth -> handler (under the world lock) -> observer.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug import Request, Response
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import BaseConverter, Map, Rule

from reconciler.emulator import faults as hostile
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.controls import DROP, WRITES, Faults, RateLimiter
from reconciler.emulator.handlers import ROUTES
from reconciler.emulator.http import JSON, Ctx, Fail, Reply
from reconciler.emulator.serving import CONNECTION_KEY
from reconciler.emulator.world import Record, World

log = logging.getLogger(__name__)
Observer = Callable[[Request, Response], Any]
TEXT = "text/plain;charset=utf-8"
QUERY_AUTH = (
    "Support for query parameter authentication has been deprecated to improve security. "
    "Please use a supported authentication method such as header-based, or basic authentication."
)
FAULT_BODIES: dict[int, tuple[str, str]] = {
    500: (JSON, '{"message":"Internal server error."}'),
    502: (TEXT, "502 Bad Gateway\n"),  # what a gateway in front of the API sends: not JSON
    503: (JSON, '{"message":"Service unavailable."}'),
}


STATUS_MESSAGES = {
    401: "Invalid token provided.",
    403: "Permission denied",
    404: "Not found",
    500: "Internal server error.",
}
# The same refusals on routes that word errors as `{"error": ...}` (ENDPOINTS.md §1.3).
ERROR_MESSAGES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "not found",
    500: "unexpected server error",
}


class DropConnection(ConnectionAbortedError):
    """Raised after a committed write: the server closes the socket without answering."""


def _reset_midway(response: Response, data: bytes) -> Response:
    """Headers promising the whole body, half of it, then the connection is dropped."""

    def body() -> Iterable[bytes]:
        yield data[: len(data) // 2]
        raise DropConnection("fault injection: connection reset in the middle of the body")

    reset = Response(body(), status=response.status_code, content_type=response.content_type)
    reset.headers["Content-Length"] = str(len(data))
    return reset


class SlugConverter(BaseConverter):
    """A project slug: three segments (after %2F decoding, so escaped and raw both match)."""

    regex = r"[^/]+/[^/]+/[^/]+"
    part_isolating = False


class OrgConverter(BaseConverter):
    """An org slug with its raw slash (gh/acme) or an org UUID."""

    regex = r"[^/]+(?:/[^/]+)?"
    part_isolating = False


def json_response(status: int, body: Any, content_type: str = JSON) -> Response:
    return Response(json.dumps(body), status=status, content_type=content_type)


def credentials(request: Request) -> str | None:
    """The token from Circle-Token, Authorization: Bearer, or Basic (token as the user)."""
    token = request.headers.get("Circle-Token", "").strip()
    if token:
        return token
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    auth = request.authorization
    if auth is not None and auth.type == "basic" and auth.username:
        return auth.username
    return None


class EmulatorApp:
    def __init__(
        self,
        config: EmulatorConfig,
        world: World,
        observer: Observer | None = None,
        on_write: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self.world = world
        self.observer = observer
        self.on_write = on_write
        self.limiter = RateLimiter(config.rate_limit) if config.rate_limit > 0 else None
        self.faults = Faults(config.fault_rate, config.fault_seed)
        self.rules = hostile.FaultRules([hostile.FaultRule.parse(r) for r in config.fault_rules])
        self.page_secret = secrets.token_bytes(16)
        self.requests: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        rules = [Rule("/api" + path, methods=[m], endpoint=fn) for path, m, fn in ROUTES]
        self.url_map = Map(
            rules,
            converters={"slug": SlugConverter, "org": OrgConverter},
            strict_slashes=False,
            merge_slashes=False,
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_emulator/"):
            response = self.admin(request)
        elif request.path.startswith("/api/"):
            response = self.api(request)
        else:
            response = json_response(404, {"message": "Not found"})
        return response(environ, start_response)

    # ---- admin (never delayed, limited, faulted, logged or observed) ---------------------
    def admin(self, request: Request) -> Response:
        route = (request.method, request.path.rstrip("/"))
        if route == ("GET", "/_emulator/requests"):
            with self._log_lock:
                return json_response(200, list(self.requests))
        if route == ("POST", "/_emulator/reset"):
            with self._log_lock:
                self.requests.clear()
            return json_response(200, {"message": "Request log cleared."})
        if route == ("GET", "/_emulator/state"):
            return json_response(200, self.world.dump(with_tokens=False))
        if route[1] == "/_emulator/faults":
            return self.admin_faults(request)
        return json_response(404, {"message": "Not found"})

    def admin_faults(self, request: Request) -> Response:
        """GET lists the fault rules, POST adds one (or a list), DELETE removes them all."""
        if request.method == "DELETE":
            self.rules.clear()
        elif request.method == "POST":
            try:
                data = json.loads(request.get_data() or b"null")
                for spec in data if isinstance(data, list) else [data]:
                    self.rules.add(hostile.FaultRule.parse(spec))
            except ValueError as exc:  # FaultSpecError or bad JSON
                return json_response(400, {"message": str(exc)})
        elif request.method != "GET":
            return json_response(405, {"message": "Method not allowed"})
        return json_response(200, self.rules.describe())

    # ---- the API -------------------------------------------------------------------------
    def api(self, request: Request) -> Response:
        request.get_data(cache=True)  # read once, so handlers and the observer both see it
        if self.config.latency_ms > 0:
            time.sleep(self.config.latency_ms / 1000)
        token = credentials(request)
        raw_path = (request.environ.get("RAW_URI") or request.path).partition("?")[0]
        rule = self.rules.match(request.method, raw_path)
        if rule is not None:
            # Deliberately off the contract: recorded, but never shown to the observer.
            response = self.hostile(rule, request, token)
            self._record(request, response.status_code)
            return response
        extra: dict[str, str] = {}
        fault: int | str | None = None
        allowed = True
        if self.limiter is not None:
            allowed, extra = self.limiter.take(token or "")
        if not allowed:
            # Recorded from the live API: a plain-text body, not the spec's JSON.
            response = Response("Rate limited.", status=429, content_type=TEXT)
        else:
            fault = self.faults.pick(request.method)
            if isinstance(fault, int):
                content_type, text = FAULT_BODIES[fault]
                if fault == 500 and self.error_key(request) == "error":
                    text = json.dumps({"error": "unexpected server error"})
                response = Response(text, status=fault, content_type=content_type)
            else:
                response = self.dispatch(request, token)
        if fault == DROP:
            self._record(request, 0)
            raise DropConnection("fault injection: answer dropped after the write")
        response.headers.update(extra)
        self._record(request, response.status_code)
        if self.observer is not None:
            try:
                self.observer(request, response)
            except Exception:  # an observer bug must not change what the client gets
                log.exception("emulator observer failed")
        return response

    def hostile(self, rule: hostile.FaultRule, request: Request, token: str | None) -> Response:
        """The answer a fault rule calls for (see faults.py)."""
        mode, arg = rule.mode, rule.arg
        if mode == "html":
            page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
            page += "<body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
            return Response(page, status=int(arg or 502), content_type="text/html")
        if mode == "redirect-loop":
            return Response("", status=302, headers={"Location": request.url})
        if mode == "status":
            code = int(arg or 500)
            if self.error_key(request) == "error":
                return json_response(code, {"error": ERROR_MESSAGES.get(code, "error")})
            return json_response(code, {"message": STATUS_MESSAGES.get(code, "Error.")})
        if mode == "echo":
            text = request.get_data(as_text=True)
            try:
                sent: Any = json.loads(text) if text.strip() else None
            except ValueError:
                sent = text
            return json_response(int(arg or 400), hostile.echo_body(sent, token))
        if mode == "slow":
            time.sleep(float(arg or 5))
        if mode in hostile.PAGING:  # serve the first page whatever token was sent
            request.args = MultiDict(
                [(k, v) for k, v in request.args.items(multi=True) if k != "page-token"]
            )
        response = self.dispatch(request, token)
        if mode in ("slow", "reset", "truncated-json") or response.status_code >= 300:
            data = response.get_data()
            if mode == "truncated-json":
                response.set_data(hostile.truncate(data))
            elif mode == "reset":
                return _reset_midway(response, data)
            return response
        body = json.loads(response.get_data())
        if mode == "wrong-types":
            body = hostile.wrong_types(body)
        elif mode == "missing-fields":
            body = hostile.missing_fields(body)
        elif isinstance(body, dict) and "next_page_token" in body:
            repeat = mode == "repeat-page-token"
            token_ = hostile.REPEATED_TOKEN if repeat else self.rules.next_token()
            body["next_page_token"] = token_
        return json_response(response.status_code, body)

    def _record(self, request: Request, status: int) -> None:
        raw = request.environ.get("RAW_URI") or request.full_path
        path, _, query = raw.partition("?")
        entry = {"method": request.method, "path": path, "query": query, "status": status}
        connection = request.environ.get(CONNECTION_KEY)
        if connection is not None:  # which TCP connection carried it: reuse is measurable
            entry["connection"] = connection
        with self._log_lock:
            self.requests.append(entry)

    def error_key(self, request: Request) -> str:
        """The key the route's errors are worded under: `message`, or what its handler
        declares (`error_key`, e.g. the Policy Management routes' `{"error": ...}`)."""
        try:
            handler, _ = self.url_map.bind_to_environ(request.environ).match()
        except HTTPException:
            return "message"
        return str(getattr(handler, "error_key", "message"))

    def dispatch(self, request: Request, token: str | None) -> Response:
        user = self.authenticate(request, token)
        if isinstance(user, Response):
            return user
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            handler, args = adapter.match()
        except MethodNotAllowed:
            return json_response(405, {"message": "Method not allowed"})
        except HTTPException:
            return json_response(404, {"message": "Not found"})
        raw_path = (request.environ.get("RAW_URI") or request.path).partition("?")[0]
        ctx = Ctx(request, self.world, user, self.config.page_size, self.page_secret, raw_path)
        with self.world.lock:
            try:
                reply: Reply = handler(ctx, **args)
            except Fail as exc:
                return json_response(exc.status, {"message": exc.message}, exc.content_type)
            except Exception:  # an emulator bug: answer like CircleCI's 500, keep the trace
                log.exception("emulator handler failed: %s %s", request.method, request.path)
                if getattr(handler, "error_key", "message") == "error":
                    return json_response(500, {"error": "unexpected server error"})
                return json_response(500, {"message": "Internal server error."})
            if request.method in WRITES and self.on_write is not None:
                self.on_write()
        response = json_response(reply.status, reply.body)
        response.headers.update(reply.headers)
        return response

    def authenticate(self, request: Request, token: str | None) -> Record | Response:
        v1 = request.path.startswith("/api/v1.1/")
        query_token = request.args.get("circle-token")
        if token is None and query_token:
            if not v1:
                return json_response(401, {"message": QUERY_AUTH})
            token = query_token
        user = self.world.user_by_token(token) if token else None
        if user is not None:
            return user
        # Info level: shown by `circleci-reconciler emulator`, silent in tests. The token
        # sent is never repeated: it may be a real CircleCI token sent here by mistake.
        log.info(
            "401 for %s %s: %s; this emulator accepts the tokens listed when it started "
            "(the seed's users and --token), in the Circle-Token header",
            request.method,
            request.path,
            "no token was sent" if token is None else "a token it does not know was sent",
        )
        if v1 and request.path.startswith("/api/v1.1/project/"):
            # Recorded: v1.1 hides private projects from bad tokens, JSON sent as text/plain.
            return json_response(404, {"message": "Project not found"}, TEXT)
        if self.error_key(request) == "error":  # the OIDC and policy routes' shape (§1.3)
            return json_response(401, {"error": ERROR_MESSAGES[401]})
        if v1 or token is None:
            return json_response(401, {"message": "You must log in first."})
        return json_response(401, {"message": "Invalid token provided."})
