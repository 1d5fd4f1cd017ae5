"""Where each part of a manifest was written: a side table from model paths to positions."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.errors import Problem

# A path into the manifest as the models see it: ("projects", "gh/acme/api", "env_vars", "X").
Path_ = tuple[str | int, ...]
# (file, key line, key col, value line, value col); 1-based. For list items key == value.
Entry = tuple[str, int, int, int, int]


def quote(text: object, limit: int = 60) -> str:
    """User text for a one-line message: quoted, escaped (newlines...), and cut when long."""
    shown = repr(str(text))
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a manifest file (1-based line and column)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def problem(self, message: str) -> Problem:
        return Problem(self.file, self.line, self.col, message)


class PositionTable:
    """Positions of every key and value, with lookups that fall back to the nearest
    ancestor, so a later stage always gets a useful place for any path."""

    __slots__ = ("entries",)

    def __init__(self, entries: dict[Path_, Entry] | None = None) -> None:
        self.entries: dict[Path_, Entry] = entries if entries is not None else {}

    def update(self, other: PositionTable) -> None:
        """Add another file's positions; paths already known keep theirs (the first file's)."""
        if not self.entries:
            self.entries = dict(other.entries)
            return
        for path, entry in other.entries.items():
            self.entries.setdefault(path, entry)

    def _find(self, path: Path_) -> tuple[Entry, bool]:
        """The entry of `path` or of its nearest written ancestor, and whether it is its own."""
        p = path
        while p:
            entry = self.entries.get(p)
            if entry is not None:
                return entry, len(p) == len(path)
            p = p[:-1]
        root = self.entries.get(())
        return root or ("<manifest>", 1, 1, 1, 1), root is not None and not path

    def key(self, path: Path_) -> Position:
        """Where the entry at `path` is declared (its key; for a list item, the item)."""
        entry, _ = self._find(path)
        return Position(entry[0], entry[1], entry[2])

    def value(self, path: Path_) -> Position:
        """Where the value at `path` starts; the nearest ancestor's key when `path` is absent."""
        entry, own = self._find(path)
        return Position(entry[0], entry[3], entry[4]) if own else Position(*entry[:3])

    def has(self, path: Path_) -> bool:
        return path in self.entries
