"""Manifests for the lint tests, written to disk so positions are real."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from reconciler.lint import Severity, lint_offline
from reconciler.manifest import load_manifest
from tests.e2e.harness import write_manifest

BASE: dict[str, Any] = {"version": 1, "organization": "gh/acme"}


def manifest(**sections: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BASE), **copy.deepcopy(sections)}


def offline(tmp_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    path = write_manifest(tmp_path, data)
    return lint_offline(load_manifest([path]), Severity.HIGH)


def rules_found(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in report["findings"] if not f["suppressed"]}
