"""The manifest writer: whatever the names and values, the manifest reader reads back
exactly what was written, and comments never change the data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.exporting.yamltext import Block, Flow, dump, scalar
from reconciler.manifest.yamlread import read_document

# Control characters other than tab and line breaks are refused by the reader (they would be
# invisible in review); test_control_characters_are_refused_not_misread covers them.
REFUSED = "".join(
    chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)
TEXT = st.text(
    st.characters(codec="utf-8", exclude_characters=REFUSED), max_size=20
) | st.sampled_from(
    [
        "on",
        "yes",
        "No",
        "null",
        "~",
        "1.10",
        "0x1F",
        "1_000",
        "2024-01-02",
        "12:30",
        "true",
        "- a",
        "a: b",
        "a #b",
        "a # b",
        "#x",
        "[x]",
        "{x}",
        "*x",
        "&x",
        "!x",
        "%x",
        "@x",
        "`x",
        "'x'",
        '"x"',
        "x:",
        "---",
        "...",
        " x",
        "x ",
        "a,b",
        "? x",
        "|",
        ">",
        "\t",
        "é ✓",
        "\u2028",
        "\ufeff",
        "a\\b",
        "https://x.example/a?b=1#c",
    ]
)
KEY = TEXT.filter(bool)  # the reader refuses empty keys, and no manifest name is empty
SCALAR = TEXT | st.integers(-(2**40), 2**40) | st.booleans()


def _block(depth: int) -> st.SearchStrategy[Any]:
    leaf = (
        SCALAR
        | st.lists(SCALAR, max_size=3)
        | st.builds(Flow, st.lists(SCALAR, max_size=3) | st.dictionaries(KEY, SCALAR, max_size=3))
    )
    value = leaf if depth == 0 else leaf | _block(depth - 1)
    return st.builds(
        _make, st.dictionaries(KEY, value, max_size=4), st.lists(TEXT, max_size=2), TEXT
    )


def _make(items: dict[str, Any], notes: list[str], after: str) -> Block:
    b = Block(notes=notes)
    for k, v in items.items():
        b.add(k, v, before=notes, after=after)
    return b


def _plain(v: Any) -> Any:
    if isinstance(v, Block):
        return {e.key: _plain(e.value) for e in v.entries}
    if isinstance(v, Flow):
        return _plain(v.value)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_block(2), header=st.lists(TEXT, max_size=3))
def test_reader_reads_back_what_was_written(
    doc: Block, header: list[str], tmp_path_factory: Any
) -> None:
    path: Path = tmp_path_factory.mktemp("y") / "m.yaml"
    top = Block()
    top.add("version", 1)
    top.add("doc", doc)
    text = dump(top, header)
    path.write_text(text, encoding="utf-8")
    read = read_document(path, "m.yaml")
    assert not read.problems, (text, read.problems)
    assert read.data == {"version": 1, "doc": _plain(doc)}, text


def test_control_characters_are_refused_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    for char in REFUSED:
        top = Block()
        top.add("version", 1)
        top.add("doc", f"a{char}b")
        path.write_text(dump(top, []), encoding="utf-8")
        problems = read_document(path, "m.yaml").problems
        assert [(p.line, p.col) for p in problems] == [(2, 6)], repr(char)
        assert f"U+{ord(char):04X}" in problems[0].message


def test_plain_where_unambiguous_quoted_otherwise() -> None:
    assert scalar("gh/acme/api") == "gh/acme/api"
    assert scalar("https://x.example/a") == "https://x.example/a"
    assert scalar("on") == '"on"' and scalar("1.10") == '"1.10"' and scalar("") == '""'
    assert scalar("a: b") == '"a: b"' and scalar("x #y") == '"x #y"'
    assert scalar("a,b", flow=True) == '"a,b"' and scalar("a,b") == "a,b"
    assert scalar("\u202eevil") == '"\\u202eevil"'
    assert scalar(True) == "true" and scalar(7) == "7"
