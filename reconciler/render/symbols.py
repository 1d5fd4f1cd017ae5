"""Action symbols, words and colours, shared by the text and Markdown reports."""

from __future__ import annotations

import re

ACTIONS = ("create", "update", "replace", "delete")

SYMBOLS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}

LEGEND = {
    "create": "create",
    "update": "update in place",
    "replace": "replace (no update route: the object is recreated)",
    "delete": "delete",
}

# ANSI SGR codes. Kept to the basic 8 colours so every terminal and CI log viewer shows them.
STYLES = {
    "create": "32",
    "update": "33",
    "replace": "35",
    "delete": "31",
    "bold": "1",
    "dim": "2",
    "warn": "33",
    "ok": "32",
}

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def symbol(action: str) -> str:
    return SYMBOLS.get(action, "?")


def paint(text: str, style: str, enabled: bool) -> str:
    """Wrap `text` in an ANSI style, line by line so a style never bleeds across lines."""
    if not enabled or not text:
        return text
    code = STYLES.get(style, style)
    return "\n".join(f"\x1b[{code}m{line}\x1b[0m" if line else line for line in text.split("\n"))


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)
