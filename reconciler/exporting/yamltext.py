"""A small YAML writer for manifests: block mappings, comments, and scalars quoted whenever
the manifest reader might read them back as anything but the same value.

Writing the text ourselves keeps comments exactly where they belong. Quoted strings use
JSON's escapes (a subset of YAML's double-quoted escapes) plus `\\uXXXX` for every
character YAML does not allow in a stream, so any name or value survives the round trip.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

from reconciler.manifest.scalars import resolve_plain
from reconciler.render.values import clean

INDENT = 2
WIDTH = 100  # comments wrap here; values never do
_PLAIN_BLOCK = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./ @+()=:#?&%,~!*'\"-]*")
# Inside a plain scalar these turn into a mapping value or a comment.
_BREAKS = (": ", " #", "\t")
_PLAIN_FLOW = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./@+=-]*")
# Outside YAML 1.2's printable set, plus line separators and bidi controls: escaped.
_UNSAFE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)


@dataclass
class Flow:
    """A one-line collection: `[a, b]` for a list, `{k: v}` for a dict."""

    value: list[Any] | dict[str, Any]


@dataclass
class Entry:
    key: str
    value: Any  # str | int | bool | Flow | Block | list (block sequence of scalars)
    before: list[str] = field(default_factory=list)  # comment lines above the key
    after: str = ""  # comment at the end of the key's line


@dataclass
class Block:
    """A block mapping; entries are written in the order given."""

    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # comment lines heading the contents

    def add(self, key: str, value: Any, before: list[str] | None = None, after: str = "") -> None:
        self.entries.append(Entry(key, value, list(before or []), after))


def _reads_back(s: str) -> bool:
    value = resolve_plain(s)
    return type(value) is str and value == s


def _quoted(s: str) -> str:
    body = json.dumps(s, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: _escape(m.group()), body)


def _escape(ch: str) -> str:
    n = ord(ch)
    return f"\\u{n:04x}" if n <= 0xFFFF else f"\\U{n:08x}"


def scalar(value: Any, flow: bool = False) -> str:
    """One scalar as YAML text: plain where that is unambiguous, double-quoted otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    s = str(value)
    plain = (_PLAIN_FLOW if flow else _PLAIN_BLOCK).fullmatch(s)
    if (
        plain
        and not s.endswith((" ", ":"))
        and not s.startswith(("---", "..."))
        and not any(b in s for b in _BREAKS)
        and _reads_back(s)
    ):
        return s
    return _quoted(s)


def _flow(value: list[Any] | dict[str, Any]) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{scalar(k, True)}: {scalar(v, True)}" for k, v in value.items())
        return "{" + inner + "}"
    return "[" + ", ".join(scalar(v, True) for v in value) + "]"


def comment(text: object) -> str:
    """Comment text on one line, with nothing a terminal or an editor would act on, and no
    character the manifest reader refuses (U+FFFE and U+FFFF are not control characters)."""
    return _UNSAFE.sub(lambda m: _escape(m.group()), clean(text).replace("\r", " "))


def _comments(lines: list[str], pad: str) -> list[str]:
    """Comment lines, wrapped at spaces to stay near WIDTH; continuations indented."""
    out = []
    for text in lines:
        body = comment(text)
        lead = " " * (len(body) - len(body.lstrip(" ")))
        wrapped = textwrap.wrap(
            body.lstrip(" "),
            width=max(40, WIDTH - len(pad) - 2),
            initial_indent=lead,
            subsequent_indent=lead + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        out += [f"{pad}# {w}".rstrip() for w in wrapped or [""]]
    return out


def _lines(block: Block, depth: int) -> list[str]:
    pad = " " * (INDENT * depth)
    out = []
    for e in block.entries:
        out += _comments(e.before, pad)
        head = f"{pad}{scalar(e.key)}:"
        tail = f"  # {comment(e.after)}" if e.after else ""
        v = e.value
        if isinstance(v, Block):
            out.append(head + (" {}" if not v.entries else "") + tail)
            inner = " " * (INDENT * (depth + 1))
            out += _comments(v.notes, inner)
            out += _lines(v, depth + 1)
        elif isinstance(v, Flow):
            out.append(f"{head} {_flow(v.value)}{tail}")
        elif isinstance(v, list) and v:
            out.append(head + tail)
            out += [f"{pad}{' ' * INDENT}- {scalar(item)}" for item in v]
        elif isinstance(v, list):
            out.append(f"{head} []{tail}")
        else:
            out.append(f"{head} {scalar(v)}{tail}")
    return out


def entry_text(entry: Entry) -> str:
    """One entry as written, comments included: entries that read the same are equal."""
    return "\n".join(_lines(Block([entry]), 0))


def dump(block: Block, header: list[str]) -> str:
    """The document: header comment lines, then the mapping."""
    lines = [f"# {comment(h)}".rstrip() for h in header]
    return "\n".join(lines + _lines(block, 0)) + "\n"
