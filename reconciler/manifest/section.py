"""A kind's manifest section: the key it owns on a project, a context or the organization
(under `organization_settings`), its type, and the offline rules and secret references that
go with it. Kinds declare one; the manifest model
is composed from the declarations (reconciler.manifest.model), so a new kind needs no change
in this package. A leaf module: kinds import it at run time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from pydantic import BaseModel

from reconciler.manifest.positions import Path_

if TYPE_CHECKING:
    from reconciler.errors import Problem
    from reconciler.manifest.envvar import EnvVar
    from reconciler.manifest.yamlread import RawDocument

T_co = TypeVar("T_co", covariant=True)

Owner = Literal["project", "context", "organization"]

# The manifest's top-level key holding each owner's entries: projects and contexts by name,
# the organization's settings in one mapping (`organization` itself is the org's slug).
TOP: dict[str, str] = {
    "project": "projects",
    "context": "contexts",
    "organization": "organization_settings",
}


@dataclass(frozen=True)
class Site:
    """Where a section is written in one raw document, for its offline rules (run on the raw
    data, so they are reported even when other parts of the file are invalid)."""

    doc: RawDocument
    # ("projects", slug, key), ("contexts", name, key) or ("organization_settings", key)
    path: Path_
    value: object  # the raw value written
    # The project's normalised slug, the context's name, or the organization (normalised
    # when valid, else as written)
    parent: str
    org: str | None  # the normalised organization, when it is valid
    org_raw: object  # the organization as written


@dataclass(frozen=True)
class SetList:
    """A set-like list under the section (a relative path, "*" for any key): an item listed
    twice is an error. `same` folds spellings of one item."""

    path: Path_ = ()
    same: Callable[[object], object] | None = None


@dataclass(frozen=True)
class Ignore:
    """A `policy.ignore` key a kind declares: globs of names of its live objects never
    planned. Kinds sharing one (project and context env vars) declare the same object."""

    key: str
    description: str
    # Its place among policy.ignore's keys (the schema keeps the order it has always had).
    order: int = 100


@dataclass(frozen=True)
class Section(Generic[T_co]):
    """The key `key` on every `owner` ("project" or "context"), or under the manifest's
    `organization_settings` (owner "organization"), of type `annotation`."""

    owner: Owner
    key: str
    annotation: object
    description: str
    set_lists: tuple[SetList, ...] = ()
    # Why CircleCI does not offer it to standalone (circleci/) projects; None: it does.
    not_on_standalone: str | None = None
    rules: Callable[[Site], list[Problem]] | None = None
    # The secret values a validated parent holds in this section, by path relative to it.
    secrets: Callable[[BaseModel], Iterator[tuple[Path_, EnvVar]]] | None = None
    # Project slugs a validated parent names in this section (read for their ids).
    projects: Callable[[BaseModel], Iterable[str]] | None = None
    # How `defaults` give a project section to the projects a glob matches, under each
    # project's own: "by_key" (an object, key by key), "by_name" (a mapping, member by
    # member), "whole" (a list, taken when the project writes none). None: not a default.
    merge: Literal["by_key", "by_name", "whole"] | None = None
    # Warnings about a valid parent that declares the section: allowed, but likely not what
    # its author wants (`validate` shows them; nothing is refused).
    advice: Callable[[BaseModel], Iterable[str]] | None = None

    @property
    def top(self) -> str:
        """The manifest's top-level key its owners are written under."""
        return TOP[self.owner]

    def of(self, parent: BaseModel) -> T_co | None:
        """The section as written on a project, a context or the organization's settings
        (None when the key is absent)."""
        value: T_co | None = getattr(parent, self.key, None)
        return value
