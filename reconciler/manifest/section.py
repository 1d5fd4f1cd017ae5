"""A kind's manifest section: the key it owns on a project or a context, its type, and the
offline rules and secret references that go with it. Kinds declare one; the manifest model
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


@dataclass(frozen=True)
class Site:
    """Where a section is written in one raw document, for its offline rules (run on the raw
    data, so they are reported even when other parts of the file are invalid)."""

    doc: RawDocument
    path: Path_  # ("projects", slug, key) or ("contexts", name, key)
    value: object  # the raw value written
    parent: str  # the project's normalised slug, or the context's name
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
    """The key `key` on every `owner` ("project" or "context"), of type `annotation`."""

    owner: Literal["project", "context"]
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

    def of(self, parent: BaseModel) -> T_co | None:
        """The section as written on a project or a context (None when the key is absent)."""
        value: T_co | None = getattr(parent, self.key, None)
        return value
