"""Markdown building blocks for GitHub comments: escaping, code cells, tables, size budget.

Values are written as `<code>` elements whose text is entity-encoded, so nothing in a value
can open a tag, split a table cell, start a code span, mention a user or link an issue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from reconciler.render.values import clean

# GitHub refuses comments above 65,536 characters. Counting UTF-8 bytes is never below the
# character count however it is measured, and the margin absorbs the closing lines.
COMMENT_LIMIT = 65_536
# A cell holds at most this many characters of a value; the text report shows it in full.
CELL_LIMIT = 300
NOTE_LIMIT = 1_000
# Room kept for the closing lines (omission notices).
RESERVE = 600


def omitted(left: int, total: int, what: str, report: str, command: str) -> str:
    """Says how much was left out to stay within the comment limit, and where it is."""
    return (
        f"_{left} of {total} {what} not shown here, to stay within GitHub's comment size limit; "
        f"the full {report} is in the job log (`circleci-reconciler {command}`)._"
    )


# Characters that carry meaning in GFM or in GitHub's post-processing (mentions, issue links,
# math), written as numeric entities so they show as themselves. `]` needs no escape once
# every `[` has one; `_` only matters at a word boundary.
_ENTITIES = {c: f"&#{ord(c)};" for c in "|`\\*[~#@$"}
_ENTITIES.update({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_TABLE = str.maketrans(_ENTITIES)
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_START = frozenset("-+.!=0123456789")
_COMMENT_UNSAFE = re.compile(r"[^A-Za-z0-9_./:@+-]")


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def escape(text: object) -> str:
    """Text that renders literally in Markdown, in inline HTML and inside a table cell."""
    return _EDGE_UNDERSCORE.sub("&#95;", clean(text).translate(_TABLE))


def line(text: object) -> str:
    """Escaped text that starts a line or a list item, where `-`, `1.` or `=` open a block."""
    out = escape(text)
    return f"&#{ord(out[0])};{out[1:]}" if out[:1] in _LINE_START else out


def code(text: object) -> str:
    return f"<code>{escape(text)}</code>"


def marker(kind: str, **attrs: str) -> str:
    """A hidden first line CI can search for to find and update its own comment."""
    parts = " ".join(
        f"{k}={_COMMENT_UNSAFE.sub('_', v).replace('--', '-_')}" for k, v in attrs.items()
    )
    return f"<!-- circleci-reconciler:{kind} {parts} -->"


def table(header: Sequence[str], body: Iterable[Sequence[str]], align: str = "") -> list[str]:
    """A GFM table; cells must already be escaped. `align` holds one of l/r per column."""
    rule = ["---:" if a == "r" else "---" for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(cells) + " |" for cells in body)
    return lines


def details(summary_html: str, body: list[str]) -> str:
    """A collapsed section. The blank lines let GitHub render Markdown inside it."""
    return "\n".join([f"<details><summary>{summary_html}</summary>", "", *body, "", "</details>"])


def fit(blocks: list[str], budget: int) -> int:
    """How many leading blocks (each followed by a blank line) fit within `budget` bytes."""
    used = 0
    for i, block in enumerate(blocks):
        used += size(block) + 2
        if used > budget:
            return i
    return len(blocks)
