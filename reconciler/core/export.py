"""What a kind receives and returns when its live objects are written back as manifest text
(`export`). The text itself (blocks, placeholders, the hands-off policy) is exporting's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.core.context import FetchContext
from reconciler.core.resource import Resource
from reconciler.core.state import State

if TYPE_CHECKING:
    from reconciler.exporting.handsoff import HandsOff
    from reconciler.exporting.placeholders import Placeholders
    from reconciler.exporting.yamltext import Block, Flow


@dataclass
class ExportContext:
    """The live read (what kinds learnt, refused collections), every live object, the
    secrets written (adopted, or as placeholders handed out), and the objects the manifest
    must leave alone."""

    fetch: FetchContext
    live: State
    placeholders: Placeholders
    hands_off: HandsOff
    # Files a kind writes beside the exported manifest (path relative to it -> text), such as
    # a policy bundle kept in the repository. None when export writes to no file (stdout): a
    # kind then leaves out what would live in files, with a note.
    files: dict[str, str] | None = None


@dataclass
class Exported:
    """One kind's part of the manifest under one parent (or at the top)."""

    # The collection's value under its key; None: left out (then a note says why).
    value: Block | Flow | None = None
    # Comment lines heading the parent's (or the section's) contents.
    notes: list[str] = field(default_factory=list)
    # Top-level kinds: (key, live object) of every parent written, in order.
    members: list[tuple[str, Resource]] = field(default_factory=list)
    # Top-level kinds: comment lines above the section's key.
    before: list[str] = field(default_factory=list)
