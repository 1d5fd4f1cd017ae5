"""The manifest: organization, policy, the organization's settings, projects and contexts.

A project's and a context's keys beyond their own (`create`; `protect`), and every key of
`organization_settings`, are the sections the kinds declare (reconciler.manifest.section):
`Project`, `Context` and `OrganizationSettings` are composed here from the registry's
sections, in registry order, so a new kind needs no change in this package.
This is the one module of the package that imports the registry; the kinds import only its
leaf modules at run time, which is what keeps the two free of an import cycle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple, TypeVar

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    StrictBool,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
    create_model,
    field_validator,
)

from reconciler.manifest import names
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.fields import (
    ContextName,
    Glob,
    NonBlank,
    NonNegativeInt,
    OrgSlug,
    ProjectSlug,
    StrictModel,
)
from reconciler.manifest.positions import Path_, Position, PositionTable
from reconciler.manifest.section import TOP, Ignore, Section

M = TypeVar("M", bound=StrictModel)


class IgnorePolicyBase(StrictModel):
    """Globs (shell-style, case-sensitive) of live objects never planned: no update, no delete."""

    # Its keys are the ones the kinds declare (reconciler.manifest.section.Ignore).

    def ignores(self, key: str, name: str) -> bool:
        return names.glob_match(getattr(self, key, []), name)


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


class PolicyBase(StrictModel):
    """Safety rules for plan and apply; may be written in one file only."""

    max_deletes: NonNegativeInt = 10
    """Apply refuses a plan with more deletions than this, unless --allow-deletes."""
    manage_contexts: list[Glob] = []
    """Globs: a live context not in the manifest is deleted only when it matches one."""
    ignore: IgnorePolicyBase = Field(default_factory=IgnorePolicyBase)
    """Live objects never planned at all."""
    lint: LintPolicy = Field(default_factory=LintPolicy)
    """Settings of `lint` (suppressions)."""
    ledger: NonBlank | None = None
    """Path of the fingerprint ledger of secrets written, relative to this manifest file."""

    def manages_context(self, name: str) -> bool:
        return names.glob_match(self.manage_contexts, name)


class ProjectBase(StrictModel):
    """A project. A collection key that is present is authoritative (live objects not listed
    are deleted unless ignored or protected); an absent key leaves them alone; `{}` means none."""

    create: StrictBool = False
    """Create (follow) the project when it does not exist."""
    skip_defaults: list[NonBlank] | None = None
    """What `defaults` would add that this project does without: a section (`webhooks`) or
    one key of it (`env_vars.NPM_TOKEN`, `settings.build_fork_prs`)."""


class ContextBase(StrictModel):
    """A context, matched by name. Listed contexts are managed."""

    protect: StrictBool = False
    """Never delete or replace this context while it is listed here (the plan fails instead)."""


class DefaultsBase(StrictModel):
    """Project sections given to every declared project the glob matches, under the project's
    own keys (the project wins; `skip_defaults` drops a default)."""

    # Its keys are the project sections that declare how defaults merge them (Section.merge).


_HOW = {
    "by_key": "merged key by key under the project's",
    "by_name": "merged name by name under the project's",
    "whole": "used when the project writes none",
}


class OrganizationSettingsBase(StrictModel):
    """Settings of the organization itself; may be written in one file only. A key that is
    present is authoritative; an absent key leaves that setting alone."""


class ManifestBase(StrictModel):
    """A circleci-reconciler manifest (format version 1): the CircleCI settings of one
    organization."""

    version: Literal[1]
    """Format version; always 1."""
    organization: OrgSlug
    """gh/NAME, github/NAME, bb/NAME, bitbucket/NAME, circleci/ORG-KEY or the organization UUID."""
    policy: PolicyBase = Field(default_factory=PolicyBase)
    """Safety rules (optional)."""
    organization_settings: OrganizationSettingsBase = Field(
        default_factory=OrganizationSettingsBase
    )
    """Settings of the organization itself (`organization` is its slug); may be written in
    one file only. A present key is authoritative, an absent one hands-off."""
    # Typed with the bases here; compose_manifest gives them (and policy) the composed models.
    projects: dict[ProjectSlug, ProjectBase] = {}
    """Projects by slug. Projects are never deleted."""
    contexts: dict[ContextName, ContextBase] = {}
    """Contexts by name."""
    defaults: dict[Glob, DefaultsBase] = {}
    """Project sections shared by every declared project a glob matches, merged under each
    project's own keys; applied in the order written, so a later default wins."""

    _positions: PositionTable = PrivateAttr(default_factory=PositionTable)
    _origins: dict[Path_, str] = PrivateAttr(default_factory=dict)
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

    def note_default(self, path: Path_, origin: str) -> None:
        """Set by the loader: the value at `path` came from a default (`origin` names it)."""
        self._origins[path] = origin

    def default_origin(self, *path: str | int) -> str | None:
        """Which default gave the value at `path` (None: the project's own, or no default)."""
        return self._origins.get(self._path(path)) if self._origins else None

    def secret_refs(self) -> Iterator[tuple[Path_, EnvVar]]:
        """Every secret value the sections hold (env vars, signing secrets), with its path."""
        for where, owner, parent in self._parents():
            for section in SECTIONS:
                if section.owner == owner and section.secrets is not None:
                    for sub, var in section.secrets(parent):
                        yield (*where, section.key, *sub), var

    def named_projects(self) -> Iterator[str]:
        """Project slugs the sections name (a context's restrictions), as written."""
        for _, owner, parent in self._parents():
            for section in SECTIONS:
                if section.owner == owner and section.projects is not None:
                    yield from section.projects(parent)

    def _parents(self) -> Iterator[tuple[Path_, str, BaseModel]]:
        """(path, owner, model) of every object the sections may be written on."""
        yield (TOP["organization"],), "organization", self.organization_settings
        for key, project in self.projects.items():
            yield (TOP["project"], key), "project", project
        for name, context in self.contexts.items():
            yield (TOP["context"], name), "context", context


def _declared() -> tuple[list[Section[object]], list[Ignore]]:
    from reconciler.resources import REGISTRY

    sections = [k.section for k in REGISTRY.values() if k.section is not None]
    ignores: dict[str, Ignore] = {}
    for kind in REGISTRY.values():
        if kind.ignore is not None:
            first = ignores.setdefault(kind.ignore.key, kind.ignore)
            assert first is kind.ignore, f"two declarations of policy.ignore.{first.key}"
    return sections, sorted(ignores.values(), key=lambda i: i.order)


class Models(NamedTuple):
    project: type[ProjectBase]
    context: type[ContextBase]
    manifest: type[ManifestBase]
    policy: type[PolicyBase]
    ignore_policy: type[IgnorePolicyBase]
    defaults: type[DefaultsBase]
    organization_settings: type[OrganizationSettingsBase]


def _with(base: type[M], fields: dict[str, Any]) -> type[M]:
    """`base` extended by `fields` (new keys last, a base's key in its place), under the
    base's name."""
    model: type[M] = create_model(
        base.__name__.removesuffix("Base"),
        __base__=base,
        __doc__=base.__doc__,
        __module__=__name__,
        **fields,
    )
    return model


def _described(base: type[StrictModel], key: str, annotation: object, **default: Any) -> Any:
    return (annotation, Field(**default, description=base.model_fields[key].description))


def compose_manifest(sections: Sequence[Section[object]], ignores: Sequence[Ignore]) -> Models:
    """The manifest's models, with the sections' keys on projects, contexts and the
    organization's settings, in their order, and the ignore keys under policy.ignore."""

    def keys(owner: str) -> dict[str, Any]:
        return {
            s.key: (s.annotation, Field(default=None, description=s.description))
            for s in sections
            if s.owner == owner
        }

    project = _with(ProjectBase, keys("project"))
    defaults = _with(
        DefaultsBase,
        {
            s.key: (
                s.annotation,
                Field(default=None, description=f"{s.description.rstrip('.')}; {_HOW[s.merge]}."),
            )
            for s in sections
            if s.owner == "project" and s.merge is not None
        },
    )
    context = _with(ContextBase, keys("context"))
    settings = _with(OrganizationSettingsBase, keys("organization"))
    ignore = _with(
        IgnorePolicyBase,
        {i.key: (list[Glob], Field(default=[], description=i.description)) for i in ignores},
    )
    policy = _with(
        PolicyBase, {"ignore": _described(PolicyBase, "ignore", ignore, default_factory=ignore)}
    )
    projects = dict[ProjectSlug, project]  # type: ignore[valid-type]
    contexts = dict[ContextName, context]  # type: ignore[valid-type]
    by_glob = dict[Glob, defaults]  # type: ignore[valid-type]
    manifest = _with(
        ManifestBase,
        {
            "policy": _described(ManifestBase, "policy", policy, default_factory=policy),
            "organization_settings": _described(
                ManifestBase, "organization_settings", settings, default_factory=settings
            ),
            "projects": _described(ManifestBase, "projects", projects, default={}),
            "contexts": _described(ManifestBase, "contexts", contexts, default={}),
            "defaults": _described(ManifestBase, "defaults", by_glob, default={}),
        },
    )
    return Models(project, context, manifest, policy, ignore, defaults, settings)


SECTIONS, IGNORES = _declared()
MODELS = compose_manifest(SECTIONS, IGNORES)

if TYPE_CHECKING:
    Project = ProjectBase
    Context = ContextBase
    Manifest = ManifestBase
    Policy = PolicyBase
    IgnorePolicy = IgnorePolicyBase
    Defaults = DefaultsBase
    OrganizationSettings = OrganizationSettingsBase
else:
    Project, Context, Manifest, Policy, IgnorePolicy, Defaults, OrganizationSettings = MODELS
# The project sections defaults may give, in registry order.
DEFAULTABLE = [s for s in SECTIONS if s.owner == "project" and s.merge is not None]
