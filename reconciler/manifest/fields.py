"""Building blocks of the models: the strict base model, closed sets, and checked names."""

from __future__ import annotations

import posixpath
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from reconciler.manifest import names
from reconciler.manifest.positions import quote


class StrictModel(BaseModel):
    """Unknown keys are errors; `null` is never a value (an empty `env_vars:` would otherwise
    silently mean "hands-off" instead of "none")."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(
                f"'{info.field_name}' has no value: give it one (for an empty mapping write {{}}), "
                "or remove the key"
            )
        return value


def at_key(message: str) -> PydanticCustomError:
    """An error reported at the key that owns the value (for rules about a whole mapping)."""
    return PydanticCustomError("at_key", message)


class Day(str, Enum):
    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"


class Month(str, Enum):
    JAN = "JAN"
    FEB = "FEB"
    MAR = "MAR"
    APR = "APR"
    MAY = "MAY"
    JUN = "JUN"
    JUL = "JUL"
    AUG = "AUG"
    SEP = "SEP"
    OCT = "OCT"
    NOV = "NOV"
    DEC = "DEC"


class WebhookEvent(str, Enum):
    WORKFLOW_COMPLETED = "workflow-completed"
    JOB_COMPLETED = "job-completed"


class CheckoutKeyType(str, Enum):
    DEPLOY_KEY = "deploy-key"
    USER_KEY = "user-key"


class AttributionActor(str, Enum):
    CURRENT = "current"
    SYSTEM = "system"
    KEEP = "keep"  # whoever CircleCI attributes it to now (made by someone else): not compared


class RestrictionKind(str, Enum):
    PROJECT = "project"
    EXPRESSION = "expression"
    GROUP = "group"


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _org(value: str) -> str:
    slug = names.normalise_org(value)
    if slug is None:
        raise ValueError(f"{quote(value)} is not an organization: expected {names.ORG_FORMS}")
    return slug


def _project(value: str) -> str:
    slug = names.normalise_project(value)
    if slug is None:
        raise ValueError(f"{quote(value)} is not a project slug: expected {names.PROJECT_FORMS}")
    return slug


def _context_name(value: str) -> str:
    problem = names.context_name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _env_name(value: str) -> str:
    problem = names.env_name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _env_source(value: str) -> str:
    _env_name(value)
    if value in names.RESERVED_ENV:
        raise ValueError(f"{value} is the reconciler's own credential and may not be copied")
    return value


def _file_ref(value: str) -> str:
    if not value.strip() or "\0" in value:
        raise ValueError("file path is empty")
    if value.startswith(("/", "~")) or posixpath.isabs(value):
        raise ValueError("file path must be relative to the manifest's directory")
    normal = posixpath.normpath(value)
    if normal == ".." or normal.startswith("../"):
        raise ValueError("file path leaves the manifest's directory")
    return value


def _glob(value: str) -> str:
    problem = names.glob_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValueError(f"must be 0 or more, not {value}")
    return value


_ENV_SCHEMA = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "maxLength": 300}
_PROJECT_SCHEMA = {
    "type": "string",
    "pattern": r"^((gh|github|bb|bitbucket)/[A-Za-z0-9_][A-Za-z0-9._-]*/[A-Za-z0-9_][A-Za-z0-9._-]*"
    r"|circleci/[1-9A-HJ-NP-Za-km-z]+/[1-9A-HJ-NP-Za-km-z]+)$",
}

NonBlank = Annotated[
    StrictStr, AfterValidator(_non_blank), WithJsonSchema({"type": "string", "minLength": 1})
]
_ORG_SCHEMA = {
    "type": "string",
    "pattern": r"^((gh|github|bb|bitbucket)/[A-Za-z0-9_][A-Za-z0-9._-]*"
    r"|circleci/[1-9A-HJ-NP-Za-km-z]+"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
}
OrgSlug = Annotated[StrictStr, AfterValidator(_org), WithJsonSchema(_ORG_SCHEMA)]
ProjectSlug = Annotated[StrictStr, AfterValidator(_project), WithJsonSchema(_PROJECT_SCHEMA)]
ContextName = Annotated[
    StrictStr,
    AfterValidator(_context_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 200}),
]
EnvVarName = Annotated[StrictStr, AfterValidator(_env_name), WithJsonSchema(_ENV_SCHEMA)]
EnvSource = Annotated[StrictStr, AfterValidator(_env_source), WithJsonSchema(_ENV_SCHEMA)]
FileRef = Annotated[
    StrictStr, AfterValidator(_file_ref), WithJsonSchema({"type": "string", "minLength": 1})
]
Glob = Annotated[
    StrictStr, AfterValidator(_glob), WithJsonSchema({"type": "string", "minLength": 1})
]
NonNegativeInt = Annotated[
    StrictInt, AfterValidator(_non_negative), WithJsonSchema({"type": "integer", "minimum": 0})
]
