"""Apply's flow as a function, against the emulator: what it shows, asks and reports, in
order, with no terminal in between."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply import Outcome
from reconciler.applying import ApplyRequest, Session, apply_manifest
from reconciler.client import CircleCI, ClientConfig
from reconciler.core import Plan
from reconciler.engine import Progress
from reconciler.errors import StalePlan
from reconciler.manifest import SecretResolver, load_manifest
from reconciler.savedplan import save_plan
from tests.e2e.harness import SECRETS, TOKEN, complete, write_manifest, writes


class Stop(Exception):
    """The operator declines."""


class Recorder:
    """An operator that records each step and approves unless told not to."""

    def __init__(self, host: str, approve: bool = True) -> None:
        self.host, self.approves = host, approve
        self.steps: list[str] = []
        self.outcomes: list[Outcome] = []
        self.shown: Plan | None = None

    def open(self, paths: tuple[Path, ...]) -> Session:
        self.steps.append("open")
        manifest = load_manifest(list(paths))
        resolver = SecretResolver(SECRETS)
        resolver.resolve_all(manifest)
        api = CircleCI(ClientConfig(host=self.host, token=TOKEN, concurrency=4))
        return Session(manifest, resolver, api, None)

    @contextmanager
    def reading(self) -> Iterator[Progress | None]:
        self.steps.append("read")
        yield None

    def show(self, plan: Plan) -> None:
        self.steps.append("show")
        self.shown = plan

    def approve(self, plan: Plan) -> None:
        self.steps.append("approve")
        if not self.approves:
            raise Stop

    def report(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)


def test_the_flow_reads_shows_asks_then_applies(world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    operator = Recorder(world.url)
    report = apply_manifest(ApplyRequest(paths=(path,)), operator)
    assert operator.steps == ["open", "read", "show", "approve"]
    assert report.complete and report.count("done") == len(report.plan.changes) > 0
    assert sorted(o.address for o in operator.outcomes) == sorted(
        c.address for c in report.plan.changes
    )
    again = Recorder(world.url)
    assert apply_manifest(ApplyRequest(paths=(path,)), again).plan.empty
    assert again.steps == ["open", "read", "show"]  # nothing to approve


def test_declining_writes_nothing(world: Any, tmp_path: Path) -> None:
    path = write_manifest(tmp_path, complete())
    world.reset_requests()
    with pytest.raises(Stop):
        apply_manifest(ApplyRequest(paths=(path,)), Recorder(world.url, approve=False))
    assert writes(world.requests()) == []


def test_a_saved_plan_is_refused_once_the_manifest_moved(world: Any, tmp_path: Path) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    reviewer = Recorder(world.url, approve=False)
    with pytest.raises(Stop):
        apply_manifest(ApplyRequest(paths=(path,)), reviewer)
    saved = tmp_path / "plan.json"
    save_plan(saved, reviewer.shown, (path,), [str(path)], [])
    data["projects"]["gh/acme/api"]["env_vars"]["LOG_LEVEL"] = "info"
    write_manifest(tmp_path, data)
    world.reset_requests()
    with pytest.raises(StalePlan, match="manifest files changed"):
        apply_manifest(ApplyRequest(plan_file=saved), Recorder(world.url))
    assert writes(world.requests()) == []
