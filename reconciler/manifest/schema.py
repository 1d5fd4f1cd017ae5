"""The manifest's JSON Schema, generated from the models (editors use it through
yaml-language-server; schemas/manifest.schema.json is this function's output)."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from reconciler.manifest.model import Manifest


class _Generator(GenerateJsonSchema):
    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        # null is never accepted in a manifest: optional keys are simply left out.
        return self.generate_inner(schema["schema"])


def _tidy(node: Any, parent: str = "") -> Any:
    """Drop pydantic's generated titles ("Per Hour") and `default: null`, noise in an editor;
    mappings keyed by a pattern (env var names, project slugs) accept no other keys."""
    if isinstance(node, dict):
        out = {
            key: _tidy(value, key)
            for key, value in node.items()
            if parent == "properties"
            or not (key == "title" or (key == "default" and value is None))
        }
        if "patternProperties" in out and parent != "properties":
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a manifest file, with the field docs as descriptions."""
    schema = _tidy(Manifest.model_json_schema(schema_generator=_Generator))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "circleci-reconciler manifest",
        **schema,
    }
