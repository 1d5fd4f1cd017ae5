"""The manifest: organization, policy, projects and contexts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    StrictBool,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from reconciler.manifest import names
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.fields import (
    ContextName,
    EnvVarName,
    Glob,
    NonBlank,
    NonNegativeInt,
    OrgSlug,
    ProjectSlug,
    RestrictionKind,
    StrictModel,
)
from reconciler.manifest.positions import Path_, Position, PositionTable
from reconciler.manifest.project import Project

MAX_CONTEXT_ENV_VARS = 100  # CircleCI's limit per context


class IgnorePolicy(StrictModel):
    """Globs (shell-style, case-sensitive) of live objects never planned: no update, no delete."""

    contexts: list[Glob] = []
    """Context names."""
    env_vars: list[Glob] = []
    """Env var names, for project and context env vars alike."""
    webhooks: list[Glob] = []
    """Webhook names."""
    schedules: list[Glob] = []
    """Schedule names."""

    def ignores(
        self, kind: Literal["contexts", "env_vars", "webhooks", "schedules"], name: str
    ) -> bool:
        return names.glob_match(getattr(self, kind), name)


class LintSuppression(StrictModel):
    """A lint finding accepted on purpose: the rule, where, and why (the reason is required)."""

    rule: Annotated[
        StrictStr,
        StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
        WithJsonSchema({"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}),
    ]
    """Rule id, as `lint --list-rules` shows it (e.g. checkout-user-key)."""
    address: NonBlank = "*"
    """Address glob: `*` matches any text, `?` one character; brackets are literal, so
    `project[gh/acme/api].*` means everything under that project."""
    reason: NonBlank
    """Why the finding is accepted (required: a suppression is a decision someone owns)."""


class LintPolicy(StrictModel):
    """Settings of `lint`."""

    suppress: list[LintSuppression] = []
    """Findings accepted on purpose; one that matches nothing is itself reported."""


class Policy(StrictModel):
    """Safety rules for plan and apply; may be written in one file only."""

    max_deletes: NonNegativeInt = 10
    """Apply refuses a plan with more deletions than this, unless --allow-deletes."""
    manage_contexts: list[Glob] = []
    """Globs: a live context not in the manifest is deleted only when it matches one."""
    ignore: IgnorePolicy = Field(default_factory=IgnorePolicy)
    """Live objects never planned at all."""
    lint: LintPolicy = Field(default_factory=LintPolicy)
    """Settings of `lint` (suppressions)."""
    ledger: NonBlank | None = None
    """Path of the fingerprint ledger of secrets written, relative to this manifest file."""

    def manages_context(self, name: str) -> bool:
        return names.glob_match(self.manage_contexts, name)


class Restrictions(StrictModel):
    """Who may use a context. When `restrictions` is written all three kinds are authoritative:
    a kind left out means no restriction of that kind."""

    projects: list[ProjectSlug] = []
    """Project slugs of this organization (resolved to project ids)."""
    expressions: list[NonBlank] = []
    """Expression restrictions, e.g. pipeline.git.branch == "main"."""
    groups: list[NonBlank] = []
    """Group names or ids (standalone organizations)."""

    def items(self) -> list[tuple[RestrictionKind, str]]:
        return (
            [(RestrictionKind.PROJECT, v) for v in self.projects]
            + [(RestrictionKind.EXPRESSION, v) for v in self.expressions]
            + [(RestrictionKind.GROUP, v) for v in self.groups]
        )


class Context(StrictModel):
    """A context, matched by name. Listed contexts are managed."""

    protect: StrictBool = False
    """Never delete or replace this context while it is listed here (the plan fails instead)."""
    restrictions: Restrictions | None = None
    """Restrictions; absent = hands-off."""
    env_vars: dict[EnvVarName, EnvVar] | None = None
    """Environment variables, by name; absent = hands-off, {} = none."""

    @field_validator("env_vars")
    @classmethod
    def _limit(cls, value: dict[str, EnvVar]) -> dict[str, EnvVar]:
        if len(value) > MAX_CONTEXT_ENV_VARS:
            raise ValueError(
                f"a context holds at most {MAX_CONTEXT_ENV_VARS} env vars (CircleCI's limit)"
            )
        return value


class Manifest(StrictModel):
    """A circleci-reconciler manifest (format version 1): the CircleCI settings of one
    organization."""

    version: Literal[1]
    """Format version; always 1."""
    organization: OrgSlug
    """gh/NAME, github/NAME, bb/NAME, bitbucket/NAME, circleci/ORG-KEY or the organization UUID."""
    policy: Policy = Field(default_factory=Policy)
    """Safety rules (optional)."""
    projects: dict[ProjectSlug, Project] = {}
    """Projects by slug. Projects are never deleted."""
    contexts: dict[ContextName, Context] = {}
    """Contexts by name."""

    _positions: PositionTable = PrivateAttr(default_factory=PositionTable)
    _files: list[str] = PrivateAttr(default_factory=list)
    _directories: dict[str, Path] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if type(value) is not int or value != 1:
            raise ValueError("unsupported manifest version; this tool reads version: 1")
        return value

    @property
    def files(self) -> list[str]:
        """The files the manifest was read from, in reading order."""
        return list(self._files)

    @property
    def positions(self) -> PositionTable:
        return self._positions

    def _path(self, path: tuple[str | int, ...]) -> Path_:
        if len(path) >= 2 and path[0] == "projects" and isinstance(path[1], str):
            path = ("projects", names.normalise_project(path[1]) or path[1], *path[2:])
        return path

    def position(self, *path: str | int) -> Position:
        """Where the object at `path` is declared, e.g. ("projects", "gh/acme/api", "env_vars",
        "NPM_TOKEN"): its key (an item's own place in a list). Falls back to the nearest
        ancestor that was written."""
        return self._positions.key(self._path(path))

    def value_position(self, *path: str | int) -> Position:
        """Where the value at `path` starts (same fallback as `position`)."""
        return self._positions.value(self._path(path))

    def directory_of(self, *path: str | int) -> Path | None:
        """Absolute directory of the file where `path` was written."""
        return self._directories.get(self.position(*path).file)

    @property
    def ledger_path(self) -> Path | None:
        """`policy.ledger` resolved against the directory of the file that sets it."""
        if self.policy.ledger is None:
            return None
        base = self.directory_of("policy", "ledger") or Path.cwd()
        return base / self.policy.ledger

    def secret_refs(self) -> Iterator[tuple[Path_, EnvVar]]:
        """Every env var value and webhook signing secret, with its path."""
        for slug, project in self.projects.items():
            for name, var in (project.env_vars or {}).items():
                yield ("projects", slug, "env_vars", name), var
            for hook_name, hook in (project.webhooks or {}).items():
                if hook.signing_secret is not None:
                    yield (
                        ("projects", slug, "webhooks", hook_name, "signing_secret"),
                        hook.signing_secret,
                    )
        for ctx_name, context in self.contexts.items():
            for name, var in (context.env_vars or {}).items():
                yield ("contexts", ctx_name, "env_vars", name), var
