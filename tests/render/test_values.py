"""Value formatting shared by every report."""

from __future__ import annotations

import pytest

from reconciler.render.mdutil import code, escape, line, marker
from reconciler.render.values import clean, clip, compact


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true"),
        (3, "3"),
        (1.5, "1.5"),
        ("a", '"a"'),
        ('say "hi"\n', '"say \\"hi\\"\\n"'),
        ([], "[]"),
        (["b", 1], '["b", 1]'),
        ({"z": 1, "a": [True]}, "{a: [true], z: 1}"),
        ({"odd key": {}, "run-nightly": None}, '{"odd key": {}, run-nightly: null}'),
        ({"b", "a", "c"}, '["a", "b", "c"]'),
        (frozenset({2, 1}), "[1, 2]"),
        (("x",), '["x"]'),
        ("日本語 ✓", '"日本語 ✓"'),
    ],
)
def test_compact(value: object, shown: str) -> None:
    assert compact(value) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain ünïcode", "plain ünïcode"),
        ("a\x1b[31mb", "a\\u001b[31mb"),
        ("l1\nl2", "l1\\u000al2"),
        ("x\u202eevil", "x\\u202eevil"),
        ("C1 \x9b", "C1 \\u009b"),
        ("sep\u2028", "sep\\u2028"),
    ],
)
def test_clean_escapes_what_a_terminal_would_act_on(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_compact_strings_escape_terminal_controls_too() -> None:
    assert compact("a\x1b\u202e\x7f") == '"a\\u001b\\u202e\\u007f"'


def test_clip() -> None:
    assert clip("abc", 3) == "abc" and clip("abc", None) == "abc"
    assert clip("abcdef", 2) == "ab… (4 more characters)"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a&#124;b"),
        ("`x`", "&#96;x&#96;"),
        ("<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"),
        (
            "@team #12 *e* ~s~ [l](u) $m$ \\",
            "&#64;team &#35;12 &#42;e&#42; &#126;s&#126; &#91;l](u) &#36;m&#36; &#92;",
        ),
        ("env_var _x_", "env_var &#95;x&#95;"),
    ],
)
def test_markdown_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped
    assert code(raw) == f"<code>{escaped}</code>"


def test_line_start_cannot_open_a_block() -> None:
    assert line("- item") == "&#45; item"
    assert line("1. first") == "&#49;. first"
    assert line("text - 1.") == "text - 1."


def test_marker_keeps_only_plain_characters() -> None:
    assert marker("plan", organization="gh/acme") == (
        "<!-- circleci-reconciler:plan organization=gh/acme -->"
    )
    assert marker("drift", organization="a b-->c") == (
        "<!-- circleci-reconciler:drift organization=a_b-__c -->"
    )
