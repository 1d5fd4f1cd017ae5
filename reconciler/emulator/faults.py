"""Hostile and broken answers, aimed at chosen routes: what a proxy, a bad deploy or an
outage may send. Rules come from `--fault SPEC` or the admin API (`/_emulator/faults`).

A rule is `mode[=arg]` with optional `method=GET`, `route=/api/v2/context*` (a glob over the
raw path), `after=N` (let the first N matching requests through) and `times=N` (fire at most N
times). Modes:

- `truncated-json`: the real answer, its body cut in half
- `html[=status]`: an HTML error page (default 502)
- `wrong-types`: the real answer with every field's JSON type changed
- `missing-fields`: the real answer with every object emptied of its fields
- `repeat-page-token`: every page is the first, and names one same next token
- `endless`: every page is the first, and names a new next token: the list never ends
- `redirect-loop`: 302 to the same URL
- `slow=seconds`: wait, then answer (past a client's read timeout)
- `reset`: send the headers and half the body, then drop the connection
- `status=N`: answer N with a JSON message in the route's error shape (`{"message"}`, or
  `{"error"}` on the OIDC and policy routes): 401, 403, 404 ... in the middle of a run
- `echo[=status]`: refuse (default 400) quoting every value of the request and its token in
  every encoding a server might use (raw, JSON-escaped, HTML-escaped, URL-encoded, base64,
  line by line), flat and nested as a JSON string inside `message`
"""

from __future__ import annotations

import base64
import fnmatch
import html
import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

MODES = frozenset(
    {
        "truncated-json",
        "html",
        "wrong-types",
        "missing-fields",
        "repeat-page-token",
        "endless",
        "redirect-loop",
        "slow",
        "reset",
        "status",
        "echo",
    }
)
PAGING = frozenset({"repeat-page-token", "endless"})
REPEATED_TOKEN = "cmVwZWF0"


class FaultSpecError(ValueError):
    """A fault rule that cannot be read."""


@dataclass
class FaultRule:
    mode: str
    arg: str = ""
    method: str | None = None
    route: str | None = None
    after: int = 0
    times: int | None = None
    seen: int = 0
    fired: int = 0

    @classmethod
    def parse(cls, spec: str | dict[str, Any]) -> FaultRule:
        """From `mode[=arg][,key=value]...` or the same as a JSON object."""
        if isinstance(spec, str):
            head, *rest = spec.split(",")
            mode, _, arg = head.partition("=")
            fields: dict[str, Any] = {"mode": mode.strip(), "arg": arg.strip()}
            for item in rest:
                key, sep, value = item.partition("=")
                if not sep:
                    raise FaultSpecError(f"fault option {item!r} is not key=value")
                fields[key.strip()] = value.strip()
        elif isinstance(spec, dict):
            fields = dict(spec)
        else:
            raise FaultSpecError("a fault rule is a string or an object")
        unknown = set(fields) - {"mode", "arg", "method", "route", "after", "times"}
        if unknown:
            raise FaultSpecError(f"unknown fault option {sorted(unknown)[0]!r}")
        if fields.get("mode") not in MODES:
            raise FaultSpecError(f"unknown fault mode {fields.get('mode')!r}")
        try:
            times = fields.get("times")
            return cls(
                mode=str(fields["mode"]),
                arg=str(fields.get("arg") or ""),
                method=str(fields["method"]).upper() if fields.get("method") else None,
                route=str(fields["route"]) if fields.get("route") else None,
                after=int(fields.get("after") or 0),
                times=int(times) if times not in (None, "") else None,
            )
        except (TypeError, ValueError):
            raise FaultSpecError("after and times are whole numbers") from None

    def describe(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "arg": self.arg,
            "method": self.method,
            "route": self.route,
            "after": self.after,
            "times": self.times,
            "fired": self.fired,
        }


class FaultRules:
    """The active rules; the first that matches a request (and has turns left) fires."""

    def __init__(self, rules: list[FaultRule] | None = None) -> None:
        self._rules = list(rules or [])
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.describe() for r in self._rules]

    def match(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.method and rule.method != method:
                    continue
                if rule.route and not fnmatch.fnmatchcase(path, rule.route):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                rule.fired += 1
                return rule
        return None

    def next_token(self) -> str:
        return base64.urlsafe_b64encode(f"endless-{next(self._tokens)}".encode()).decode()


# ---- transformations of a real answer ------------------------------------------------------
def truncate(body: bytes) -> bytes:
    return body[: max(1, len(body) // 2)]


def _retyped(value: Any) -> Any:
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 7
    if isinstance(value, list):
        return {"0": value[0]} if value else {}
    if isinstance(value, dict):
        return [value] if value else []
    return {}  # null


def wrong_types(body: Any) -> Any:
    """Each field of the answer (and of each listed item) with another JSON type."""
    if isinstance(body, dict):
        if isinstance(body.get("items"), list):
            items = [wrong_types(i) if isinstance(i, dict) else _retyped(i) for i in body["items"]]
            return {**body, "items": items}
        return {k: _retyped(v) for k, v in body.items()}
    return _retyped(body)


def missing_fields(body: Any) -> Any:
    """Objects with no fields: required ids and names are gone (a list keeps its envelope)."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return {**body, "items": [{} for _ in body["items"]]}
    if isinstance(body, dict):
        return {}
    if isinstance(body, list):
        return [{} for _ in body]
    return body


# ---- echo ----------------------------------------------------------------------------------
def _forms(value: str) -> list[str]:
    raw = value.encode("utf-8")
    forms = [
        value,
        json.dumps(value)[1:-1],
        html.escape(value),
        quote(value, safe=""),
        quote_plus(value),
        base64.b64encode(raw).decode(),
    ]
    lines = value.splitlines()
    if len(lines) > 1:
        forms += lines
    return forms


def _values(body: Any) -> list[str]:
    if isinstance(body, str):
        return [body]
    if isinstance(body, dict):
        return [v for item in body.values() for v in _values(item)]
    if isinstance(body, list):
        return [v for item in body for v in _values(item)]
    return []


def echo_body(request_body: Any, token: str | None) -> dict[str, Any]:
    """A refusal that quotes the request's values and token back in every form."""
    values = _values(request_body) + ([token] if token else [])
    quoted = "; ".join(f for v in values for f in _forms(v))
    inner = json.dumps({"message": f"Validation failed for {quoted}", "documentation_url": ""})
    return {"message": inner, "detail": f"invalid value {quoted}", "error": quoted}
