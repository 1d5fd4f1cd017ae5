"""Hostile input: each gives one clean, positioned error with no blow-up; nothing executes.

No assertion here depends on the machine's speed: an input that blew up (an alias bomb
expanded, quadratic nesting) would run for minutes and hit the generous per-test timeout,
while `make bench` measures how fast manifests load."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.manifest import load_manifest
from tests.manifest.support import HEAD

BOMB = (
    HEAD
    + 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
)

CASES: dict[str, tuple[bytes, str]] = {
    "alias bomb": (BOMB.encode(), "alias bomb"),
    "deep flow nesting": (
        HEAD.encode() + b"projects: " + b"[" * 20_000 + b"]" * 20_000,
        "levels deep",
    ),
    "deep block nesting": (
        (HEAD + "".join(" " * i + f"k{i}:\n" for i in range(200))).encode(),
        "levels deep",
    ),
    "huge file": (b"# padding\n" * 500_000, "larger than 4 MiB"),
    "binary junk": (bytes(range(256)) * 40, "not valid UTF-8"),
    "NUL bytes": (HEAD.encode() + b"\x00\x01\x02", "character U+0000 is not allowed"),
    "Unicode line separator": (
        (HEAD + "projects: {}\u2028policy: {}\n").encode(),
        "character U+2028 is not allowed",
    ),
    "tabs": (HEAD.encode() + b"projects:\n\tgh/acme/api: {}\n", "tab used for indentation"),
    "latin-1": ("version: 1\norganization: gh/caf\u00e9\n".encode("latin-1"), "not valid UTF-8"),
    "UTF-16": ("version: 1\n".encode("utf-16"), "UTF-16"),
    "python object tag": (
        HEAD.encode() + b"projects: !!python/object/apply:os.system ['touch PWNED']\n",
        "YAML tag '!!python/object/apply:os.system' is not allowed",
    ),
    "python name tag key": (b"!!python/name:os.system x: 1\n", "a key must be plain text"),
    "python tag on a mapping": (
        b"version: 1\norganization: !!python/object:os.system {}\n",
        "is not allowed in a manifest",
    ),
    "absurd number": (b"version: " + b"9" * 200_000 + b"\norganization: gh/acme\n", "far too long"),
    "unterminated quote": (HEAD.encode() + b"projects: {'gh/acme/api: {}\n", "ends inside"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_gives_a_clean_error_fast(
    name: str, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, words = CASES[name]
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ManifestError) as caught:
        load_manifest([path])
    problems = caught.value.problems
    assert any(words in p.message for p in problems), [str(p) for p in problems]
    assert all(p.line >= 1 and p.col >= 1 and p.file == str(path) for p in problems)
    assert not os.path.exists(tmp_path / "PWNED")


@pytest.mark.timeout(60)
def test_many_problems_in_a_large_file_stay_bounded(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "noise.yaml"
    path.write_text(HEAD + "".join(f"key_{i}: 1\n" for i in range(5_000)))
    with pytest.raises(ManifestError) as caught:
        load_manifest([path])
    assert caught.value.problems[-1].message.startswith("... and ")
