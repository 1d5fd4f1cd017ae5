"""A strict evaluator for the expressions the example CI files use: CircleCI's (`and`, `or`,
`not`, `==`, `!=`, `starts-with`, "strings") and GitHub Actions' (`&&`, `||`, `!`, `==`,
`!=`, 'strings'). Anything outside that subset is a parse error, so a typo in a filter or a
`when` fails the test instead of reading as false."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"[^"]*"|'[^']*')|(?P<op>==|!=|&&|\|\||!|\(|\))|"""
    r"""(?P<word>starts-with|and|or|not|true|false)(?![\w.-])|(?P<name>[A-Za-z_][\w.-]*))"""
)
_BINARY = {"==": 3, "!=": 3, "starts-with": 3, "and": 2, "&&": 2, "or": 1, "||": 1}


def tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SyntaxError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, values: Mapping[str, Any]) -> None:
        self.toks = tokens(text)
        self.i = 0
        self.values = values
        self.text = text

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise SyntaxError(f"unexpected end of {self.text!r}")
        self.i += 1
        return self.toks[self.i - 1]

    def atom(self) -> Any:
        kind, text = self.take()
        if text in ("not", "!"):
            return not self.expr(4)
        if text == "(":
            value = self.expr(0)
            if self.take()[1] != ")":
                raise SyntaxError(f"unbalanced parentheses in {self.text!r}")
            return value
        if kind == "str":
            return text[1:-1]
        if text in ("true", "false"):
            return text == "true"
        if kind == "name":
            return self.lookup(text)
        raise SyntaxError(f"unexpected {text!r} in {self.text!r}")

    def lookup(self, name: str) -> Any:
        value: Any = self.values
        for part in name.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    def expr(self, floor: int) -> Any:
        left = self.atom()
        while (op := self.peek()) in _BINARY and _BINARY[op] > floor:
            self.take()
            right = self.expr(_BINARY[op])
            if op == "==":
                left = left == right
            elif op == "!=":
                left = left != right
            elif op == "starts-with":
                left = isinstance(left, str) and isinstance(right, str) and left.startswith(right)
            elif op in ("and", "&&"):
                left = bool(left) and bool(right)
            else:
                left = bool(left) or bool(right)
        return left


def evaluate(text: str, values: Mapping[str, Any]) -> bool:
    parser = _Parser(text, values)
    result = parser.expr(0)
    if parser.i != len(parser.toks):
        raise SyntaxError(f"unexpected {parser.peek()!r} in {text!r}")
    return bool(result)
