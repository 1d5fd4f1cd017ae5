"""Shared pieces for the client tests: a fake clock so waits are measured, not slept."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.client import ClientConfig, HttpClient

TOKEN = "tok-3f9a1c77e2d84b6b"
HOST = "https://circleci.test"
V2 = f"{HOST}/api/v2"
V1 = f"{HOST}/api/v1.1"


class FakeTime:
    """Monotonic and wall clocks that only move when something sleeps."""

    def __init__(self, wall: float = 1_700_000_000.0) -> None:
        self.now = 1000.0
        self.wall0 = wall
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.wall0 + (self.now - 1000.0)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_http(fake_time: FakeTime) -> Callable[..., HttpClient]:
    def make(**config: object) -> HttpClient:
        cfg = ClientConfig(host=HOST, token=TOKEN, **config)  # type: ignore[arg-type]
        return HttpClient(cfg, sleep=fake_time.sleep, clock=fake_time.clock, wall=fake_time.wall)

    return make
