"""Helpers shared by the manifest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestError, Problem
from reconciler.manifest import load_manifest

HEAD = "version: 1\norganization: gh/acme\n"
JARGON = ("Input should", "Value error", "pydantic", "[key]", "Traceback", "ruamel", "dict[")


def problems_of(*paths: Path | str) -> list[Problem]:
    with pytest.raises(ManifestError) as caught:
        load_manifest(list(paths))
    return caught.value.problems


def where(problems: list[Problem]) -> list[tuple[int, int]]:
    return [(p.line, p.col) for p in problems]
