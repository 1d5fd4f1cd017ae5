"""Reading YAML: positions of every key and value, typing of scalars, aliases and merge keys,
duplicates, tags, encodings. Run with each parser backend available."""

from __future__ import annotations

import pytest

from reconciler.manifest import load_manifest
from reconciler.manifest.scalars import LooksTyped, resolve_plain
from tests.manifest.support import HEAD, problems_of, where


def test_positions_of_keys_and_values_in_block_and_flow_style(write, backend: str) -> None:
    m = load_manifest(
        [
            write(
                HEAD
                + "projects:\n"
                + "  gh/acme/api:\n"
                + "    env_vars: {A: x, B: {env: B}}\n"
                + "    checkout_keys:\n"
                + "      - deploy-key\n"
                + "      - user-key\n"
            )
        ]
    )
    assert m.position("projects", "gh/acme/api") == m.value_position("projects")
    assert (
        m.position("projects", "gh/acme/api").line,
        m.position("projects", "gh/acme/api").col,
    ) == (4, 3)
    assert (
        m.position("projects", "gh/acme/api", "env_vars", "B").line,
        m.position("projects", "gh/acme/api", "env_vars", "B").col,
    ) == (5, 22)
    b = m.value_position("projects", "gh/acme/api", "env_vars", "B", "env")
    assert (b.line, b.col) == (5, 31)
    item = m.position("projects", "gh/acme/api", "checkout_keys", 1)
    assert (item.line, item.col) == (8, 9)


def test_scalars_follow_yaml_1_2_and_flag_yaml_1_1_lookalikes() -> None:
    assert resolve_plain("1.10") == 1.1
    assert resolve_plain("0o17") == 15 and resolve_plain("0x1f") == 31
    assert resolve_plain("~") is None and resolve_plain("") is None
    assert resolve_plain("True") is True and resolve_plain("FALSE") is False
    assert resolve_plain("-.inf") == float("-inf")
    for text in ("on", "yes", "No", "1_000", "0b101", "1:30", "2024-01-02", "+.5_0"):
        value = resolve_plain(text)
        assert isinstance(value, LooksTyped) and value == text, text
    for text in ("main", "v1.2.3", "1.2.3", "ON-CALL", "0xZ"):
        assert type(resolve_plain(text)) is str, text


def test_quoted_and_str_tagged_values_are_text(write, backend: str) -> None:
    m = load_manifest(
        [
            write(
                HEAD
                + "projects:\n  gh/acme/api:\n"
                + "    env_vars: {A: '1.10', B: !!str 1.10, C: \"on\", D: ! yes}\n"
            )
        ]
    )
    values = {k: v.value.reveal() for k, v in m.projects["gh/acme/api"].env_vars.items()}  # type: ignore[union-attr]
    assert values == {"A": "1.10", "B": "1.10", "C": "on", "D": "yes"}


def test_a_tag_that_does_not_fit_its_value_is_refused(write, backend: str) -> None:
    problems = problems_of(write(HEAD + "policy:\n  max_deletes: !!int ten\n"))
    assert where(problems) == [(4, 16)]
    assert "does not fit its tag !!int" in problems[0].message


def test_merged_keys_point_at_the_anchor_and_written_keys_win(write, backend: str) -> None:
    path = write(
        HEAD
        + "contexts:\n"
        + "  a:\n"
        + "    env_vars: &aws\n"
        + "      AWS_REGION: eu-west-1\n"
        + "      AWS_KEY: {env: AWS_KEY}\n"
        + "  b:\n"
        + "    env_vars:\n"
        + "      <<: *aws\n"
        + "      AWS_REGION: us-east-1\n"
        + "  c:\n"
        + "    env_vars: *aws\n"
    )
    m = load_manifest([path])
    b = m.contexts["b"].env_vars or {}
    assert b["AWS_REGION"].value.reveal() == "us-east-1"  # type: ignore[union-attr]
    assert b["AWS_KEY"].env == "AWS_KEY"
    assert m.position("contexts", "b", "env_vars", "AWS_KEY").line == 7  # from the anchor
    assert m.position("contexts", "b", "env_vars", "AWS_REGION").line == 11  # written here
    assert m.position("contexts", "c", "env_vars", "AWS_KEY").line == 7
    assert m.value_position("contexts", "c", "env_vars").line == 13  # the alias itself
    # each use is its own object, bound to where it was written
    assert m.contexts["c"].env_vars["AWS_KEY"] is not m.contexts["a"].env_vars["AWS_KEY"]  # type: ignore[index]


def test_an_error_inside_an_aliased_value_is_reported_where_it_was_written(
    write, backend: str
) -> None:
    path = write(
        HEAD
        + "contexts:\n"
        + "  a:\n"
        + "    env_vars: &vars\n"
        + "      TOKEN: 12345\n"
        + "  b:\n"
        + "    env_vars: *vars\n"
    )
    problems = problems_of(path)
    assert where(problems) == [(6, 14)]  # both uses fail at the one place it is written
    assert "12345" not in problems[0].message  # an unquoted secret is still a secret


def test_merge_needs_mappings(write, backend: str) -> None:
    problems = problems_of(write(HEAD + "policy:\n  <<: [1]\n"))
    assert where(problems) == [(4, 8)]
    assert "merge" in problems[0].message


def test_duplicate_keys_name_both_lines(write, backend: str) -> None:
    problems = problems_of(write(HEAD + "policy:\n  max_deletes: 1\n  max_deletes: 2\n"))
    assert [str(p).split(":", 1)[1] for p in problems] == [
        "5:3: duplicate key 'max_deletes', already defined at line 4"
    ]


def test_keys_must_be_plain_text(write, backend: str) -> None:
    problems = problems_of(write(HEAD + "? [a, b]\n: c\npolicy: &x {}\n*x : 2\n"))
    assert where(problems) == [(3, 3), (6, 1)]
    assert all("a key must be plain text" in p.message for p in problems)


def test_alias_before_its_anchor_is_refused(write, backend: str) -> None:
    problems = problems_of(write("version: 1\norganization: *org\n"))
    assert where(problems) == [(2, 15)]
    assert "no complete anchor" in problems[0].message
    # What follows the * may be an unquoted secret, so it is never echoed.
    assert "org" not in problems[0].message


def test_unquoted_value_starting_with_a_star_is_not_echoed(write, backend: str) -> None:
    problems = problems_of(
        write(HEAD + "projects:\n  gh/acme/api:\n    env_vars:\n      NPM: *s3cretJJJ\n")
    )
    assert problems and all("s3cret" not in p.message for p in problems)
    assert "must be quoted" in problems[0].message


def test_empty_value_is_reported_at_its_key(write, backend: str) -> None:
    problems = problems_of(
        write(HEAD + "projects:\n  gh/acme/api:\n    settings:\n    create: true\n")
    )
    assert where(problems) == [(5, 5)]
    assert "'settings' has no value" in problems[0].message


def test_byte_order_mark_and_crlf_keep_columns(tmp_path, backend: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(
        b"\xef\xbb\xbfversion: 1\r\norganization: gh/acme\r\npolicy: {max_deletes: -1}\r\n"
    )
    problems = problems_of(path)
    assert where(problems) == [(3, 23)]


def test_columns_count_characters_not_bytes(write, backend: str) -> None:
    problems = problems_of(write(HEAD + "contexts: {'déploiement-é': {protect: oui}}\n"))
    assert where(problems) == [(3, 39)]


def test_one_document_per_file(write, backend: str) -> None:
    problems = problems_of(write(HEAD + "---\n" + HEAD))
    assert where(problems) == [(3, 1)]
    assert "one YAML document" in problems[0].message


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        ("# nothing but a comment\n", "the file is empty"),
        ("- version: 1\n", "top level must be a mapping"),
        ("just text\n", "top level must be a mapping"),
    ],
)
def test_files_that_are_not_a_mapping(write, backend: str, text: str, message: str) -> None:
    problems = problems_of(write(text))
    assert where(problems) == [(1, 1)]
    assert message in problems[0].message
