"""Fixtures for the manifest tests: files written into tmp_path, and every YAML backend."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.manifest import yamlread


@pytest.fixture(params=sorted(yamlread.BACKENDS))
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with each YAML parser available (libyaml only when its extension is in)."""
    monkeypatch.setattr(yamlread, "backend", request.param)
    return str(request.param)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(text, name="manifest.yaml") -> the path of a dedented file under tmp_path."""

    def _write(text: str, name: str = "manifest.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
