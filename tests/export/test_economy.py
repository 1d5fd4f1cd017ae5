"""Export reads through the same kinds as plan, and no more: each collection of each parent
once (page by page), the groups only when a group restriction is live, a project outside the
export only when a restriction names it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reconciler.export import export_manifest
from tests.export.helpers import client
from tests.export.seed import API, ORG, TOKEN, WEB, seed


def _reads(emulator: Any, projects: list[str]) -> Counter[str]:
    api = client(emulator, TOKEN)
    emulator.reset_requests()
    export_manifest(api, ORG, projects)
    log = emulator.requests()
    assert all(r["method"] == "GET" for r in log)
    return Counter(f"{r['path']}?{r['query']}" for r in log)


def test_no_page_is_read_twice(emulator_factory: Any) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    reads = _reads(emulator, [API, WEB])
    assert [page for page, n in reads.items() if n > 1] == []
    assert sum(1 for page in reads if "/groups" in page) == 1  # aws-prod names a group
    assert sum(1 for page in reads if page.startswith("/api/v2/me?")) == 1


def test_groups_are_not_read_without_a_group_restriction(emulator_factory: Any) -> None:
    data = seed()
    del data["organizations"][ORG]["contexts"]["aws-prod"]["restrictions"]["groups"]
    emulator = emulator_factory(seed=data, tokens=(TOKEN,), page_size=2)
    reads = _reads(emulator, [API])
    assert not [page for page in reads if "/groups" in page]
