"""Plain data and positions from YAML parser events.

Values are typed here by the YAML 1.2 core schema, never by a YAML constructor, so no tag can run
code; aliases are counted (alias bombs), nesting is bounded without recursion, duplicate keys and
YAML merge keys (`<<: *defaults`) are handled with the position of every key and value kept.

Design. ruamel.yaml's public loaders build nodes and then objects, losing the positions of
scalars and refusing nothing we need refused, so the manifest is read one level lower: the
parser's event stream (yamlread.py builds the parser from ruamel.yaml's Reader, Scanner,
Parser and VersionedResolver classes, or libyaml's CParser). The Builder is a push-down
machine over those events: each mapping or sequence start pushes a `_Frame` holding the
container being filled and its path; a scalar or a finished container is stored into the
frame on top; an alias copies the anchored subtree and the positions recorded under it
(`log`); a key that cannot be kept (duplicate, not a string) skips the whole value that
follows. Event classes are matched by name, so both parsers' classes work. Only those parser
classes and their event names are relied on: pyproject.toml pins the ruamel.yaml range the
suite has been run against (0.18.6 to 0.19.x).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from reconciler.errors import Problem
from reconciler.manifest.positions import Entry, Path_, quote
from reconciler.manifest.scalars import (
    MAP,
    SEQ,
    STR,
    TAG_PREFIX,
    BadScalar,
    resolve_plain,
    resolve_tagged,
)

MAX_DEPTH = 32  # a valid manifest nests 8 deep
MAX_ALIAS_VALUES = 100_000  # values that aliases may add by repetition (alias bombs)
MAX_PROBLEMS = 500  # per file: past this, a file is noise, not a manifest


# Event kinds; node events first so `kind <= _ALIAS` tests for a node.
_SCALAR, _MAPPING, _SEQUENCE, _ALIAS, _END, _DOCUMENT, _STREAM_END, _OTHER = range(8)
_STARTS = (_MAPPING, _SEQUENCE)
_KINDS = {
    "ScalarEvent": _SCALAR,
    "MappingStartEvent": _MAPPING,
    "SequenceStartEvent": _SEQUENCE,
    "AliasEvent": _ALIAS,
    "MappingEndEvent": _END,
    "SequenceEndEvent": _END,
    "DocumentStartEvent": _DOCUMENT,
    "StreamEndEvent": _STREAM_END,
}


class INVALID:
    """Stands where a value could not be read; its problem is already reported."""


class Fatal(Exception):
    """Stops reading a file (its problem is already recorded)."""


class _Frame:
    __slots__ = (
        "path",
        "value",
        "is_map",
        "key",
        "key_mark",
        "seen",
        "merging",
        "merges",
        "anchor",
        "log_start",
        "nodes_start",
    )

    def __init__(self, path: Path_, value: Any, anchor: str | None, log_start: int, nodes: int):
        self.path = path
        self.value = value
        self.is_map = isinstance(value, dict)
        self.key: str | None = None
        self.key_mark = (0, 0)
        self.seen: dict[str, tuple[int, str]] = {}
        self.merging = False
        self.merges: list[Path_] = []
        self.anchor = anchor
        self.log_start = log_start
        self.nodes_start = nodes


class Builder:
    """Turns parser events into plain dicts/lists/scalars and records every position."""

    def __init__(self, file: str, key_hook: Callable[[Path_, str], str] | None) -> None:
        self.file = file
        self.key_hook = key_hook
        self.problems: list[Problem] = []
        self.entries: dict[Path_, Entry] = {}
        self.log: list[Path_] = []  # paths in recording order, to copy anchored subtrees
        self.anchors: dict[str, tuple[Any, int, list[tuple[Path_, Entry]]]] = {}
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0
        self.nodes = 0
        self.alias_values = 0
        self.skip_nodes = 0  # whole nodes still to skip (bad keys, duplicates)
        self.skip_depth = 0
        self.merge_values: dict[Path_, Any] = {}
        self.kinds: dict[type, int] = {}
        self.done = False

    def problem(self, line: int, col: int, message: str, fatal: bool = False) -> None:
        self.problems.append(Problem(self.file, line, col, message))
        if fatal or len(self.problems) >= MAX_PROBLEMS:
            raise Fatal

    def feed(self, ev: Any) -> None:
        kind = self.kinds.get(type(ev))
        if kind is None:  # event classes are looked up by name: both parsers' classes work
            kind = self.kinds[type(ev)] = _KINDS.get(type(ev).__name__, _OTHER)
        if self.skip_depth:
            if kind in _STARTS:
                self.skip_depth += 1
            elif kind == _END:
                self.skip_depth -= 1
                self.skip_nodes -= self.skip_depth == 0
            return
        if self.skip_nodes and kind <= _ALIAS:
            if kind in _STARTS:
                self.skip_depth = 1
            else:
                self.skip_nodes -= 1
            return
        mark = ev.start_mark
        line, col = mark.line + 1, mark.column + 1
        if kind <= _ALIAS:
            frame = self.stack[-1] if self.stack else None
            if frame is not None and frame.is_map and frame.key is None and not frame.merging:
                self.key(frame, ev, kind, line, col)
            else:
                self.node(frame, ev, kind, line, col)
        elif kind == _END:
            self.end(self.stack.pop())
        elif kind == _DOCUMENT:
            self.documents += 1
            if self.documents > 1:
                self.problem(line, col, "a manifest file holds one YAML document; split it", True)
        elif kind == _STREAM_END:
            self.done = True
            if self.root is None and not self.problems:
                self.problem(
                    1, 1, "the file is empty; a manifest needs at least version and organization"
                )

    def key(self, frame: _Frame, ev: Any, kind: int, line: int, col: int) -> None:
        if kind != _SCALAR or (ev.tag is not None and str(ev.tag) not in ("!", STR)):
            self.problem(
                line, col, "a key must be plain text (not a list, mapping, alias or tagged value)"
            )
            self.skip_nodes = 2
            self.feed(ev)
            return
        raw = ev.value
        bad = CONTROL.search(raw)
        if bad:
            self.problem(line, col, control_problem(bad.group()))
            self.skip_nodes = 1
            return
        if raw == "<<" and not ev.style and ev.tag is None:
            frame.merging = True
            frame.key_mark = (line, col)
            return
        if raw == "":
            self.problem(line, col, "empty key")
            self.skip_nodes = 1
            return
        key = self.key_hook(frame.path, raw) if self.key_hook else raw
        first = frame.seen.get(key)
        if first is not None:
            same = (
                f"{quote(raw)} is the same as {quote(first[1])}"
                if first[1] != raw
                else f"duplicate key {quote(raw)}"
            )
            self.problem(line, col, f"{same}, already defined at line {first[0]}")
            self.skip_nodes = 1
            return
        frame.seen[key] = (line, raw)
        frame.key = key
        frame.key_mark = (line, col)

    def record(self, path: Path_, entry: Entry) -> None:
        self.entries[path] = entry
        self.log.append(path)

    def node(self, frame: _Frame | None, ev: Any, kind: int, line: int, col: int) -> None:
        self.nodes += 1
        if frame is None:
            path: Path_ = ()
            kl, kc = line, col
            if kind != _MAPPING:
                what = "a list" if kind == _SEQUENCE else "a single value"
                self.problem(
                    line,
                    col,
                    f"the top level must be a mapping (version, organization, ...), not {what}",
                    True,
                )
        elif frame.is_map:
            if frame.merging:
                path = (*frame.path, "<<", len(frame.merges))
            else:
                path = (*frame.path, frame.key)  # type: ignore[arg-type]
            kl, kc = frame.key_mark
        else:
            path = (*frame.path, len(frame.value))
            kl, kc = line, col
        if kind == _SCALAR and not ev.value and not ev.style and frame is not None:
            line, col = kl, kc  # an empty value is marked at the next token: show its key instead
        if len(path) > MAX_DEPTH:
            self.problem(line, col, f"nested more than {MAX_DEPTH} levels deep", True)
        self.entries[path] = (self.file, kl, kc, line, col)
        self.log.append(path)
        if kind == _ALIAS:
            self.place(frame, path, self.alias(ev, path, line, col))
            return
        tag = None if ev.tag is None else str(ev.tag)
        if kind == _SCALAR:
            value = self.scalar(ev, tag, line, col)
            self.place(frame, path, value)
            if ev.anchor:
                self.anchors[ev.anchor] = (value, 1, [])
            return
        if tag not in (None, "!", MAP if kind == _MAPPING else SEQ):
            self.problem(line, col, f"YAML tag {_short(tag)} is not allowed in a manifest")
            self.place(frame, path, INVALID)
            self.skip_depth, self.skip_nodes = 1, 1
            return
        value = {} if kind == _MAPPING else []
        self.place(frame, path, value)
        self.stack.append(_Frame(path, value, ev.anchor, len(self.log), self.nodes))

    def place(self, frame: _Frame | None, path: Path_, value: Any) -> None:
        if frame is None:
            self.root = value
        elif not frame.is_map:
            frame.value.append(value)
        elif frame.merging:
            frame.merges.append(path)
            self.merge_values[path] = value
            frame.merging = False
        else:
            frame.value[frame.key] = value
            frame.key = None

    def scalar(self, ev: Any, tag: str | None, line: int, col: int) -> Any:
        bad = CONTROL.search(ev.value)
        if bad:  # only an escape (\0, \x01, \e...) can put one here: the file itself is checked
            self.problem(line, col, control_problem(bad.group()))
            return INVALID
        try:
            if tag is None:
                return ev.value if ev.style else resolve_plain(ev.value)
            if tag == "!":
                return ev.value
            if tag.startswith(TAG_PREFIX) and tag != TAG_PREFIX + "merge":
                if tag[len(TAG_PREFIX) :] in ("str", "int", "float", "bool", "null"):
                    return resolve_tagged(ev.value, tag)
            self.problem(line, col, f"YAML tag {_short(tag)} is not allowed in a manifest")
        except BadScalar as exc:
            self.problem(line, col, str(exc))
        return INVALID

    def alias(self, ev: Any, path: Path_, line: int, col: int) -> Any:
        target = self.anchors.get(ev.anchor)
        if target is None:
            self.problem(
                line,
                col,
                "an alias (*name) with no complete anchor (&name) before it; "
                "a value that starts with * must be quoted",
            )
            return INVALID
        value, size, subtree = target
        self.alias_values += size
        if self.alias_values > MAX_ALIAS_VALUES:
            self.problem(
                line,
                col,
                f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)",
                True,
            )
        self.nodes += size
        for rel, entry in subtree:
            self.record(path + rel, entry)
        return value

    def end(self, frame: _Frame) -> None:
        if frame.merges:
            self.apply_merges(frame)
        if frame.anchor:
            n = len(frame.path)
            subtree = [(p[n:], self.entries[p]) for p in self.log[frame.log_start :]]
            self.anchors[frame.anchor] = (frame.value, self.nodes - frame.nodes_start + 1, subtree)

    def apply_merges(self, frame: _Frame) -> None:
        """YAML merge keys (`<<: *defaults`): keys written in the mapping win, then earlier
        merged mappings win over later ones."""
        sources: list[tuple[Path_, dict[str, Any]]] = []
        for mpath in frame.merges:
            value = self.merge_values.pop(mpath)
            items = (
                [(mpath, value)]
                if not isinstance(value, list)
                else [(mpath + (i,), v) for i, v in enumerate(value)]
            )
            for spath, item in items:
                if isinstance(item, dict):
                    sources.append((spath, item))
                elif item is not INVALID:
                    entry = self.entries[spath]
                    self.problem(
                        entry[3], entry[4], "'<<' (merge) takes a mapping or a list of mappings"
                    )
        for spath, source in sources:
            added = [k for k in source if k not in frame.value]
            for k in added:
                frame.value[k] = source[k]
            m = len(spath)
            prefixes = {spath + (k,) for k in added}
            for p in self.log[frame.log_start :]:
                if p[: m + 1] in prefixes:
                    self.record(frame.path + p[m:], self.entries[p])


# Control characters other than tab and line breaks: invisible in every review of the file,
# yet sent to CircleCI as they are.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_problem(char: str) -> str:
    return f"control character U+{ord(char):04X} is not allowed (written here as an escape)"


def _short(tag: str | None) -> str:
    text = str(tag)
    if text.startswith(TAG_PREFIX):
        text = "!!" + text[len(TAG_PREFIX) :]
    return repr(text[:60])
