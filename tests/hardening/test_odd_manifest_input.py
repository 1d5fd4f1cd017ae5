"""Control characters (from YAML escapes or `file:` secrets), links out of the manifest's
directory and oversized secret files: refused by `validate`, with positions, before any call."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import main

HEAD = "version: 1\norganization: gh/acme\n"


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(path)], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "circleci.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def test_control_characters_written_as_escapes_are_refused_where_they_are(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "projects:\n"
        "  gh/acme/api:\n"
        "    env_vars:\n"
        '      NUL: "a\\0b"\n'
        '      ESC: "a\\eb"\n'
        '      FILE: {file: "x\\0y"}\n'
        '      "K\\x01": plain\n'
        '      PEM: "line one\\nline two\\ttabbed"\n',
    )
    code, out = validate(path)
    assert code == 1
    assert f"{path}:6:12: control character U+0000" in out
    assert f"{path}:7:12: control character U+001B" in out
    assert f"{path}:8:20: control character U+0000" in out
    assert f"{path}:9:7: control character U+0001" in out
    assert ":10:" not in out  # newlines and tabs are ordinary in values
    assert "4 problems found." in out


def test_validate_checks_file_secrets_offline(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("not yours")
    inner = tmp_path / "m"
    (inner / "secrets").mkdir(parents=True)
    os.symlink(outside, inner / "secrets" / "link")
    (inner / "secrets" / "big").write_text("x" * (1024 * 1024 + 10))
    (inner / "secrets" / "ctl").write_text("abc\x01def\n")
    (inner / "secrets" / "ok").write_text("-----BEGIN-----\nabc\n-----END-----\n")
    path = write(
        inner,
        "projects:\n"
        "  gh/acme/api:\n"
        "    env_vars:\n"
        "      LINK: {file: secrets/link}\n"
        "      BIG: {file: secrets/big}\n"
        "      CTL: {file: secrets/ctl}\n"
        "      OK: {file: secrets/ok}\n"
        "      FROM_ENV: {env: NOT_SET_WHEN_VALIDATING}\n"
        "      LATER: {file: secrets/written-by-ci-before-plan}\n",
    )
    code, out = validate(path)
    assert code == 1, out
    assert "resolves outside the manifest's directory" in out
    assert "is larger than 1024 KiB" in out
    assert "holds control character U+0001" in out
    assert "3 problems found." in out  # all at once; env and absent files: plan
    assert "abc" not in out and "not yours" not in out
