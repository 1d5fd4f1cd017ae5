"""Each format of a report covering every status, and of an in-sync report, byte for byte.
Rewrite the golden files with UPDATE_GOLDEN=1 after an intended change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import ReconcilerError
from reconciler.render.drift import FORMATS, render_drift
from reconciler.render.drift_fields import STATUSES
from tests.render.drift.sample import clean_report, full_report
from tests.render.goldens import check_golden as shared_check

GOLDEN = Path(__file__).parent / "golden"
REPORTS: dict[str, Callable[[], dict[str, Any]]] = {"full": full_report, "clean": clean_report}
OUTPUTS = {
    "txt": ("text", False),
    "color.txt": ("text", True),
    "md": ("markdown", False),
    "json": ("json", False),
    "junit.xml": ("junit", False),
}


def check_golden(name: str, actual: str) -> None:
    shared_check(name, actual, GOLDEN)


@pytest.mark.parametrize("report", sorted(REPORTS))
@pytest.mark.parametrize("suffix", sorted(OUTPUTS))
def test_matches_golden(report: str, suffix: str) -> None:
    fmt, color = OUTPUTS[suffix]
    check_golden(f"{report}.{suffix}", render_drift(REPORTS[report](), fmt, color=color))


def test_no_stale_golden_files() -> None:
    assert {p.name for p in GOLDEN.iterdir()} == {f"{r}.{s}" for r in REPORTS for s in OUTPUTS}


def test_every_format_has_a_golden_file() -> None:
    assert {fmt for fmt, _ in OUTPUTS.values()} == set(FORMATS)


def test_full_report_covers_every_status_and_kind() -> None:
    from reconciler.resources import REGISTRY

    objects = full_report()["objects"]
    assert {o["status"] for o in objects} == set(STATUSES)
    assert {o["kind"] for o in objects} == set(REGISTRY)


def test_unknown_format_is_a_clean_error() -> None:
    with pytest.raises(ReconcilerError, match="unknown format 'html'"):
        render_drift(full_report(), "html")
