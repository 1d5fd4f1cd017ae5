"""Checks one HTTP exchange against the CircleCI v2 OpenAPI spec: route, path and query
parameters, credentials, request body, response status, media type and body.

Why not openapi-core's request/response validators: its path finder cannot match `{project-slug}`
sent as three raw segments, nor choose between `/project/{project-slug}/...` and the split
`/project/{provider}/{organization}/{project}/...` routes, and jsonschema messages quote the
offending value, which may be a secret. So routing, parameters and status lookup live here, and
schemas are checked with openapi-schema-validator (openapi-core's own OAS 3.0 engine); messages
name the place and the rule broken, never a value.

Readings of the spec, not exceptions to it:
- CircleCI writes nullability as `x-nullable`: read as OAS 3.0 `nullable` (`normalise`).
- `additionalProperties: false` beside `oneOf`/`anyOf` with no `properties` forbids every key,
  so no object at all could pass (it sits on `update_env_var` and the context `owner`); it is
  dropped there, as each alternative carries its own `additionalProperties: false`.
- Where a list answer carries `next_page_token`, the spec's own description of that field says
  to pass it back as the `page-token` query parameter, so that parameter counts as declared
  even on lists whose parameter list omits it (project env vars, checkout keys, webhooks,
  restrictions).
- Answers 502/503/504 come from the gateway in front of the API (the emulator's fault mode
  sends them), not from the service the spec describes: their request side is checked, their
  answer is only counted.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote

from jsonschema.exceptions import ValidationError, best_match

from tests.contract.spec_index import Route, SpecIndex, esc

PREFIX = "/api/v2"
UNMATCHED = "(no operation)"
GATEWAY = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Violation:
    method: str
    path: str
    status: int
    operation: str
    aspect: str  # request-route|request-path|request-query|request-security|request-body|
    #              response-status|response-media-type|response-body
    field: str  # JSON pointer into a body, a parameter name, or a media type
    keyword: str
    detail: str

    def message(self) -> str:
        where = f" at {self.field}" if self.field else ""
        return (
            f"{self.method} {self.path} -> {self.status}: {self.aspect}{where}: "
            f"{self.detail} [{self.operation}]"
        )


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer"}


def _pointer(parts: Any) -> str:
    return "/" + "/".join(esc(str(p)) for p in parts)


def _describe(err: ValidationError) -> Iterator[tuple[str, str, str]]:
    """(field, keyword, detail) for one schema error, built from the schema only: no values."""
    at, kw, rule = _pointer(err.absolute_path), str(err.validator), err.validator_value
    inst = err.instance
    if kw in ("anyOf", "oneOf") and err.context:
        for sub_field, sub_kw, detail in _describe(best_match(err.context)):
            yield sub_field, sub_kw, f"no {kw} alternative fits; nearest: {detail}"
    elif kw == "required" and isinstance(inst, dict):
        for name in (n for n in rule if n not in inst):
            yield f"{at.rstrip('/')}/{esc(name)}", kw, f"required property '{name}' is missing"
    elif kw == "additionalProperties" and isinstance(inst, dict):
        for name in (n for n in inst if n not in err.schema.get("properties", {})):
            yield f"{at.rstrip('/')}/{esc(name)}", kw, f"property '{name}' is not in the schema"
    elif kw == "type":
        got = "null" if inst is None else _JSON_TYPES.get(type(inst), "number")
        yield at, kw, f"expected {rule}, got {got}"
    elif kw in ("format", "enum"):
        yield at, kw, f"not a valid {rule}" if kw == "format" else f"not one of {rule}"
    else:
        yield at, kw, f"breaks the schema's '{kw}' rule"


def _schema_errors(validator: Any, instance: Any) -> list[tuple[str, str, str]]:
    # OAS 3.0 `required` reports each missing name with the whole list: keep each finding once.
    found = (d for err in validator.iter_errors(instance) for d in _describe(err))
    return list(dict.fromkeys(found))


def _cast(value: str, schema: dict[str, Any]) -> Any:
    """Query and path values arrive as text; cast them to the schema's type (OAS 3.0 `simple`)."""
    kind = schema.get("type")
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return {"true": True, "false": False}[value]
    if kind == "array":
        return [_cast(v, schema.get("items", {})) for v in value.split(",")]
    return value


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _media_key(content: Mapping[str, Any], media: str) -> str | None:
    for key in content:
        if fnmatch.fnmatchcase(media, key.lower().replace("*", "?*")) or key == "*/*":
            return key
    return None


@dataclass
class Exchange:
    """One request and its answer, in plain data (built from werkzeug objects or by hand)."""

    method: str
    raw_path: str  # percent-encoded, without the query string
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    status: int = 200
    response_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    response_body: bytes = b""

    @classmethod
    def from_werkzeug(cls, request: Any, response: Any) -> Exchange:
        environ = request.environ
        # The raw URI keeps `%2F` inside a slug or fingerprint; PATH_INFO has decoded it.
        raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
        raw = re.sub(r"^[a-z]+://[^/]+", "", raw).split("?")[0] or quote(request.path)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        return cls(
            method=request.method.upper(),
            raw_path=raw,
            query=query,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=request.get_data(cache=True),
            status=response.status_code,
            response_headers={k.lower(): v for k, v in response.headers.items()},
            response_body=response.get_data(),
        )


def check(index: SpecIndex, ex: Exchange) -> tuple[str, list[Violation], Any, Any]:
    """Check one exchange: (operationId, violations, parsed request body, parsed response)."""
    route, values, exists = index.find(ex.method, ex.raw_path[len(PREFIX) :] or "/")
    if route is None:
        what = "method not in the spec for this path" if exists else "path not in the spec"
        found = [
            Violation(
                ex.method, ex.raw_path, ex.status, UNMATCHED, "request-route", "", "route", what
            )
        ]
        return UNMATCHED, found, None, None
    run = _Check(index, route, ex)
    run.parameters(values)
    run.security()
    request_body = run.request_body()
    response_body = None if ex.status in GATEWAY else run.response()
    return route.operation_id, run.found, request_body, response_body


class _Check:
    """The checks of one exchange against its route, collecting violations."""

    def __init__(self, index: SpecIndex, route: Route, ex: Exchange) -> None:
        self.index, self.route, self.ex = index, route, ex
        self.found: list[Violation] = []

    def flag(self, aspect: str, where: str, keyword: str, detail: str) -> None:
        ex = self.ex
        op = self.route.operation_id
        self.found.append(
            Violation(ex.method, ex.raw_path, ex.status, op, aspect, where, keyword, detail)
        )

    def value(self, param: dict[str, Any], pointer: str, raw: str, aspect: str) -> None:
        schema = param.get("schema", {})
        try:
            value = _cast(raw, schema)
        except (ValueError, KeyError):
            self.flag(aspect, param["name"], "type", f"expected {schema.get('type')}")
            return
        validator = self.index.validator(f"{pointer}/schema", writing=True)
        for _, keyword, detail in _schema_errors(validator, value):
            self.flag(aspect, param["name"], keyword, detail)

    def parameters(self, values: dict[str, str]) -> None:
        query = self.ex.query
        declared = {p["name"] for p, _ in self.route.params if p["in"] == "query"}
        credentials = {
            s["name"]
            for req in self.schemes()
            for s in req.values()
            if s.get("type") == "apiKey" and s.get("in") == "query"
        }
        for name in set(query) - declared - credentials:
            self.flag("request-query", name, "undeclared", "not a parameter of the operation")
        for param, pointer in self.route.params:
            name, where = param["name"], param["in"]
            if where == "path" and name in values:
                self.value(param, pointer, values[name], "request-path")
            elif where == "query" and name in query:
                for raw in query[name]:
                    if not (raw == "" and param.get("allowEmptyValue")):
                        self.value(param, pointer, raw, "request-query")
            elif where == "query" and param.get("required"):
                self.flag("request-query", name, "required", "required parameter is missing")
            elif (
                where == "header" and param.get("required") and name.lower() not in self.ex.headers
            ):
                self.flag("request-header", name, "required", "required header is missing")

    def schemes(self) -> list[dict[str, dict[str, Any]]]:
        spec = self.index.spec
        requirements = self.route.op.get("security", spec.get("security")) or []
        defined = spec.get("components", {}).get("securitySchemes", {})
        return [{name: defined[name] for name in req} for req in requirements]

    def security(self) -> None:
        headers, query = self.ex.headers, self.ex.query

        def present(scheme: dict[str, Any]) -> bool:
            if scheme.get("type") == "apiKey":
                name = scheme["name"]
                return name in query if scheme.get("in") == "query" else name.lower() in headers
            auth = headers.get("authorization", "").lower()
            return scheme.get("type") == "http" and auth.startswith(f"{scheme.get('scheme')} ")

        requirements = self.schemes()
        if requirements and not any(all(map(present, req.values())) for req in requirements):
            names = " | ".join(" + ".join(req) for req in requirements)
            self.flag("request-security", "", "security", f"no credentials it accepts ({names})")

    def body(
        self, content: Mapping[str, Any], pointer: str, data: bytes, media: str, writing: bool
    ) -> Any:
        side = "request" if writing else "response"
        key = _media_key(content, media)
        if key is None:
            expected = f"expected one of {sorted(content)}"
            self.flag(f"{side}-media-type", media or "(none)", "media-type", expected)
            return None
        if not key.endswith("json"):
            return None  # no schema engine for other bodies; the spec declares only JSON
        try:
            body = json.loads(data)
        except ValueError:
            self.flag(f"{side}-body", "", "json", "body is not valid JSON")
            return None
        validator = self.index.validator(f"{pointer}/content/{esc(key)}/schema", writing)
        for where, keyword, detail in _schema_errors(validator, body):
            self.flag(f"{side}-body", where, keyword, detail)
        return body

    def request_body(self) -> Any:
        ex, spec = self.ex, self.route.op.get("requestBody")
        if spec is None:
            if ex.body.strip():
                self.flag("request-body", "", "absent", "the operation takes no request body")
            return None
        spec, pointer = self.index.deref(spec, f"{self.route.pointer}/requestBody")
        if not ex.body.strip():
            if spec.get("required"):
                self.flag("request-body", "", "required", "required request body is missing")
            return None
        media = _media(ex.headers.get("content-type"))
        return self.body(spec["content"], pointer, ex.body, media, writing=True)

    def response(self) -> Any:
        ex, responses = self.ex, self.route.op.get("responses", {})
        code = str(ex.status)
        key = next((k for k in (code, f"{code[0]}XX", "default") if k in responses), None)
        if key is None:
            declared = f"status not declared (declares {sorted(responses)})"
            self.flag("response-status", "", "status", declared)
            return None
        spec, pointer = self.index.deref(responses[key], f"{self.route.pointer}/responses/{key}")
        for name, header in (spec.get("headers") or {}).items():
            if header.get("required") and name.lower() not in ex.response_headers:
                self.flag("response-header", name, "required", "required header is missing")
        content = spec.get("content")
        if not content:
            if ex.response_body.strip():
                self.flag("response-body", "", "absent", "the spec declares no body here")
            return None
        if not ex.response_body.strip():
            self.flag(
                "response-body", "", "required", f"empty; the spec declares {sorted(content)}"
            )
            return None
        media = _media(ex.response_headers.get("content-type"))
        return self.body(content, pointer, ex.response_body, media, writing=False)
