"""An env var value: a literal, or a reference resolved only at plan/apply time."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, GetJsonSchemaHandler, PrivateAttr, StrictBool, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from reconciler.manifest.fields import EnvSource, FileRef, NonNegativeInt, StrictModel
from reconciler.manifest.positions import Position
from reconciler.manifest.scalars import LooksTyped
from reconciler.manifest.secret import Secret

Kind = Literal["env", "file", "literal", "adopted"]
SOURCES = ("env", "file", "value")


class EnvVar(StrictModel):
    """A value: `literal text`, `{env: NAME}`, `{file: PATH}` or `{value: "text"}`, each long
    form with optional `version` and `protect`; or `{}` (optionally `{protect: true}`): the
    variable must exist, its value is managed elsewhere. The model never holds a resolved
    value: a reference keeps only its name or path (and, once loaded, the directory of the
    manifest file that holds it); a literal's text is wrapped in `Secret` like every value."""

    model_config = ConfigDict(frozen=True)

    env: EnvSource | None = None
    """Read the value from this environment variable when planning or applying."""
    file: FileRef | None = None
    """Read the value from this file, relative to the manifest file's directory (one trailing
    newline is dropped)."""
    value: Secret | None = None
    """The value itself (for values that are not secret)."""
    version: NonNegativeInt | None = None
    """Bump to force a rewrite: CircleCI never returns values, so a change cannot always be seen."""
    protect: StrictBool = False
    """Never delete or replace this variable while it is listed here (the plan fails instead)."""
    allow_empty: StrictBool = False
    """With env: accept an empty environment variable (by default an error: it is usually a
    variable the CI job was not given)."""

    _source_dir: Path | None = PrivateAttr(default=None)
    _origin: Position | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        # Messages never repeat the value: an unquoted secret is still a secret.
        if isinstance(data, LooksTyped):
            raise ValueError(
                "unquoted value that YAML 1.1 tools read as a boolean, number or date: "
                "put it in quotes"
            )
        if isinstance(data, str):
            return {"value": data}
        if isinstance(data, bool):
            raise ValueError("unquoted true/false: put the value in quotes")
        if isinstance(data, int):  # the value itself is never quoted back: it may be secret
            raise ValueError(
                "unquoted number: put it in quotes (YAML reads it as a number: a leading "
                "zero or + sign would be lost)"
            )
        if isinstance(data, float):
            raise ValueError("unquoted number: put it in quotes (YAML reads 1.10 as 1.1)")
        if data is None:
            raise ValueError(
                "no value: write '' for an empty value, {} for a value managed elsewhere, "
                "or remove the variable"
            )
        if not isinstance(data, dict):
            raise ValueError("expected text, or one of {env: NAME}, {file: PATH}, {value: TEXT}")
        return data

    @model_validator(mode="after")
    def _one_source(self) -> EnvVar:
        given = [k for k in SOURCES if getattr(self, k) is not None]
        if not given and self.version is not None:
            # `{}` adopts a variable without its value; a version without a value rewrites nothing.
            raise ValueError(
                "version needs one of env, file or value (`{}` alone adopts the "
                "variable without its value)"
            )
        if len(given) > 1:
            raise ValueError(f"use only one of env, file or value (found {', '.join(given)})")
        if self.allow_empty and self.env is None:
            raise ValueError("allow_empty applies to env only")
        return self

    @property
    def kind(self) -> Kind:
        if self.env is not None:
            return "env"
        if self.file is not None:
            return "file"
        return "literal" if self.value is not None else "adopted"

    @property
    def adopted(self) -> bool:
        """Declared with no value source: it must exist, and its value is managed elsewhere
        (never written, never compared)."""
        return self.env is None and self.file is None and self.value is None

    @property
    def ref(self) -> str | None:
        """The variable name or file path of a reference; None for a literal."""
        return self.env if self.env is not None else self.file

    @property
    def source_dir(self) -> Path | None:
        """Directory of the manifest file this value was written in (for `file:` paths)."""
        return self._source_dir

    @property
    def origin(self) -> Position | None:
        """Where the value was written, for error messages."""
        return self._origin

    def bind(self, source_dir: Path, origin: Position) -> None:
        """Set by the loader. (The private dict directly: thousands of values are bound.)"""
        private = self.__pydantic_private__
        assert private is not None
        private["_source_dir"] = source_dir
        private["_origin"] = origin

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        extra = {
            "version": {"type": "integer", "minimum": 0, "description": _doc("version")},
            "protect": {"type": "boolean", "default": False, "description": _doc("protect")},
        }

        def form(key: str, prop: dict[str, Any], **more: Any) -> dict[str, Any]:
            return {
                "type": "object",
                "properties": {key: {**prop, "description": _doc(key)}, **extra, **more},
                "required": [key],
                "additionalProperties": False,
            }

        return {
            "description": "A value: literal text, {env: NAME}, {file: PATH} or {value: TEXT}; "
            "the long forms take optional version and protect. {} (or {protect: true}): the "
            "variable must exist; its value is managed elsewhere, never written nor compared.",
            "anyOf": [
                {"type": "string", "description": "A literal value; quote numbers and booleans."},
                form(
                    "env",
                    {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                    allow_empty={
                        "type": "boolean",
                        "default": False,
                        "description": _doc("allow_empty"),
                    },
                ),
                form("file", {"type": "string", "minLength": 1}),
                form("value", {"type": "string"}),
                {
                    "type": "object",
                    "description": "Adopted without its value: must exist, never written.",
                    "properties": {"protect": extra["protect"]},
                    "additionalProperties": False,
                },
            ],
        }


def _doc(name: str) -> str:
    return (EnvVar.model_fields[name].description or "").replace("\n", " ")
