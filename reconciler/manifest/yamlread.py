"""One manifest file: bytes -> checked text -> YAML events -> plain data + a position table.

The libyaml parser is used when ruamel.yaml's C extension is installed (about 15x faster); the
pure-Python parser otherwise. Both give the same data and the same positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.docinfo import DocInfo
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import Reader
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scanner import Scanner

from reconciler.errors import Problem
from reconciler.manifest.builder import INVALID, Builder, Fatal
from reconciler.manifest.positions import Path_, PositionTable

try:  # ruamel.yaml's optional libyaml extension
    from ruamel.yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on the environment
    _CParser = None

MAX_BYTES = 4 * 1024 * 1024  # about three times a 2,000-project manifest with every feature

# Characters YAML refuses, plus NEL and the Unicode line/paragraph separators: invisible, and
# line breaks to YAML 1.1 (libyaml) but not to 1.2, so the two parsers would disagree on lines.
_BAD_CHAR = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# The two parsers word errors differently; these say the same thing in plain words.
_SYNTAX_HINTS = [
    ("mapping values are not allowed", "unexpected ':'; a value containing ': ' must be quoted"),
    (r"expected ',' or '\]'", "a '[' list is not closed: expected ',' or ']'"),
    (r"expected ',' or '}'", "a '{' mapping is not closed: expected ',' or '}'"),
    ("could not find expected ':'", "expected 'key: value' here (missing ':'?)"),
    ("end of stream|unexpected end", "the file ends inside a quoted or bracketed value"),
    ("expected <block end>|did not find expected key", "unexpected content: check indentation"),
    ("cannot start any token", "this character cannot start a value; put the value in quotes"),
    ("block sequence entries are not allowed", "a '- ' list item is not allowed here"),
    ("expected alphabetic or numeric character", "a name is missing after & or *"),
]


class _PureParser(Reader, Scanner, Parser, VersionedResolver):
    """ruamel.yaml's pure-Python reader, scanner and parser in one object (no constructor)."""

    def __init__(self, text: str) -> None:
        self.comment_handling = None
        self.doc_infos = [DocInfo()]  # the scanner records %YAML and %TAG directives here
        Reader.__init__(self, text, loader=self)
        Scanner.__init__(self, loader=self)
        Parser.__init__(self, loader=self)
        VersionedResolver.__init__(self, None, loader=self)


BACKENDS: dict[str, Callable[[str], Any]] = {"python": _PureParser}
if _CParser is not None:  # pragma: no branch
    BACKENDS["libyaml"] = _CParser
backend = "libyaml" if "libyaml" in BACKENDS else "python"

__all__ = ["BACKENDS", "INVALID", "RawDocument", "read_document", "read_text"]


@dataclass
class RawDocument:
    file: str  # as shown in messages
    directory: Path  # absolute directory of the file (secret file paths are relative to it)
    data: dict[str, Any]
    positions: PositionTable
    problems: list[Problem] = field(default_factory=list)
    complete: bool = True  # False when reading stopped early: the data is not worth checking


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or the reason it cannot be a manifest (size, encoding, binary)."""

    def fail(message: str, line: int = 1, col: int = 1) -> tuple[None, list[Problem]]:
        return None, [Problem(file, line, col, message)]

    try:
        if not path.is_file():
            return fail("not a regular file")
        if path.stat().st_size > MAX_BYTES:
            return fail(
                f"file is larger than {MAX_BYTES // 2**20} MiB; split the manifest across files"
            )
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return fail(f"cannot read the file: {exc.strerror or exc}")
    if len(raw) > MAX_BYTES:
        return fail(
            f"file is larger than {MAX_BYTES // 2**20} MiB; split the manifest across files"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return fail("file is UTF-16; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8-sig")
        line, col = _line_col(good, len(good))
        return fail(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line, col
        )
    if "\r" in text:  # YAML reads \r\n and \r as \n; doing it here keeps columns exact
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _BAD_CHAR.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        char = ord(bad.group())
        binary = " (is this a binary file?)" if char < 0x20 or 0x7F <= char < 0xA0 else ""
        return fail(f"character U+{char:04X} is not allowed in a manifest{binary}", line, col)
    return text, []


def read_document(
    path: Path, file: str, key_hook: Callable[[Path_, str], str] | None = None
) -> RawDocument:
    """Read and parse one file. Problems are returned in the document, never raised."""
    directory = path.resolve().parent
    text, problems = read_text(path, file)
    if text is None:
        return RawDocument(file, directory, {}, PositionTable(), problems, complete=False)
    builder = Builder(file, key_hook)
    complete = False
    try:
        parser = BACKENDS[backend](text)
        while not builder.done:
            builder.feed(parser.get_event())
        complete = isinstance(builder.root, dict)
    except Fatal:
        pass
    except MarkedYAMLError as exc:
        builder.problems.append(_syntax_problem(file, text, exc))
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile input
        builder.problems.append(Problem(file, 1, 1, f"cannot parse the YAML: {type(exc).__name__}"))
    data = builder.root if complete else {}
    return RawDocument(
        file, directory, data, PositionTable(builder.entries), builder.problems, complete
    )


def _syntax_problem(file: str, text: str, exc: MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    lines = text.split("\n")
    for n in (line, line - 1):  # a tab in the indentation of the line at fault or before it
        if 0 < n <= len(lines):
            indent = lines[n - 1][: len(lines[n - 1]) - len(lines[n - 1].lstrip(" \t"))]
            if "\t" in indent:
                return Problem(
                    file,
                    n,
                    indent.index("\t") + 1,
                    "tab used for indentation; YAML indents with spaces only",
                )
    problem = (exc.problem or "").strip()
    hints = (hint for pattern, hint in _SYNTAX_HINTS if re.search(pattern, problem))
    message = next(hints, f"YAML syntax error: {problem or exc.context or 'invalid'}")
    return Problem(file, line, col, message)
