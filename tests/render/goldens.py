"""Golden files: compare with a golden directory (tests/render/golden/ unless told), rewrite
them with UPDATE_GOLDEN=1. Every golden test of the suite goes through this one function."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: str, directory: Path = GOLDEN) -> None:
    path = directory / name
    if os.environ.get("UPDATE_GOLDEN"):
        directory.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from its golden file (rerun with UPDATE_GOLDEN=1)"
