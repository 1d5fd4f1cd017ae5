"""The CircleCI v2 OpenAPI spec, loaded once per process: its routes (slug parameters
matched as CircleCI takes them) and cached schema validators. See spec_check.py for why this
is not openapi-core's path finder, and for the readings of the spec applied here.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_ENV = "CIRCLECI_OPENAPI_SPEC"
SPEC_URI = "urn:circleci-openapi-v2"
METHODS = ("get", "put", "post", "delete", "patch")
# Slug parameters the API also takes as raw segments (ENDPOINTS.md §1.6), with their count.
MULTI_SEGMENT = {"project-slug": 3, "org-slug-or-id": 2, "org-slug": 2}
PAGE_TOKEN = "/components/parameters/page_token"  # the spec's own `page-token` parameter


def spec_path() -> Path:
    default = REPO_ROOT.parent / "shared" / "circleci-api" / "openapi-v2.json"
    return Path(os.environ.get(SPEC_ENV) or default)


def normalise(node: Any) -> Any:
    """Strip `x-codeSamples` (most of the 838 KB); read `x-nullable` and composed objects as
    spec_check.py's docstring says."""
    if isinstance(node, list):
        return [normalise(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: normalise(v) for k, v in node.items() if k != "x-codeSamples"}
    if out.pop("x-nullable", False) is True:
        out["nullable"] = True
    composed = "oneOf" in out or "anyOf" in out
    if composed and out.get("additionalProperties") is False and "properties" not in out:
        del out["additionalProperties"]
    return out


@functools.lru_cache(maxsize=4)
def load_spec(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        spec: dict[str, Any] = normalise(json.load(fh))
    return spec


def esc(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    names: tuple[str, ...]
    pointer: str  # JSON pointer of the operation object
    op: dict[str, Any]
    params: tuple[tuple[dict[str, Any], str], ...]  # (parameter, its pointer)

    @property
    def operation_id(self) -> str:
        return str(self.op.get("operationId") or f"{self.method.upper()} {self.template}")


def _compile(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names: list[str] = []
    body = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            names.append(part[1:-1])
            extra = MULTI_SEGMENT.get(part[1:-1], 1) - 1
            body += f"([^/]+(?:(?:/[^/]+){{{extra}}})?)" if extra else "([^/]+)"
        else:
            body += re.escape(part)
    return re.compile(f"^{body}$"), tuple(names)


class SpecIndex:
    """Routes of one loaded spec, with schema validators built on first use and cached."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        resource = DRAFT4.create_resource(spec)  # OAS 3.0 schemas are a JSON Schema draft 4 dialect
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[tuple[str, bool], Any] = {}
        self._lock = threading.Lock()
        self.routes = [
            self._route(template, method)
            for template, item in spec["paths"].items()
            for method in METHODS
            if method in item
        ]
        # Most literal text first, so `/project/{p}/{o}/{r}/settings` wins over slug templates.
        self.routes.sort(key=lambda r: -len(re.sub(r"\{[^}]+\}|/", "", r.template)))

    def _route(self, template: str, method: str) -> Route:
        item, base = self.spec["paths"][template], f"/paths/{esc(template)}"
        listed = [(p, f"{base}/parameters/{i}") for i, p in enumerate(item.get("parameters", []))]
        own = item[method].get("parameters", [])
        listed += [(p, f"{base}/{method}/parameters/{i}") for i, p in enumerate(own)]
        params = {}  # operation-level parameters override path-level ones of the same name
        for raw, pointer in listed:
            param, pointer = self.deref(raw, pointer)
            params[(param["in"], param["name"])] = (param, pointer)
        op = item[method]
        if ("query", "page-token") not in params and _paginated(op, self):
            params[("query", "page-token")] = self.deref({"$ref": f"#{PAGE_TOKEN}"}, "")
        regex, names = _compile(template)
        return Route(method, template, regex, names, f"{base}/{method}", op, tuple(params.values()))

    def deref(self, node: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
        while "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            node = self.spec
            for part in pointer.strip("/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def find(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The best route for method and raw path, its decoded parameters, and whether the path
        exists under another method."""
        other = False
        for route in self.routes:
            m = route.regex.match(path)
            if m is None:
                continue
            if route.method == method.lower():
                values = zip(route.names, map(unquote, m.groups()), strict=True)
                return route, dict(values), True
            other = True
        return None, {}, other

    def validator(self, pointer: str, writing: bool) -> Any:
        key = (pointer, writing)
        with self._lock:
            if key not in self._validators:
                cls = OAS30WriteValidator if writing else OAS30ReadValidator
                self._validators[key] = cls(
                    {"$ref": f"{SPEC_URI}#{pointer}"},
                    registry=self.registry,
                    format_checker=oas30_format_checker,
                )
            return self._validators[key]


def _paginated(op: dict[str, Any], index: SpecIndex) -> bool:
    """Whether the operation's 200 answer is a page that carries `next_page_token`."""
    answer = op.get("responses", {}).get("200")
    if answer is None:
        return False
    schema = index.deref(answer, "")[0].get("content", {}).get("application/json", {})
    return "next_page_token" in index.deref(schema.get("schema", {}), "")[0].get("properties", {})


@functools.lru_cache(maxsize=4)
def spec_index(path: str) -> SpecIndex:
    return SpecIndex(load_spec(path))
