from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.harness import Cli, seed


@pytest.fixture
def world(emulator_factory: Any) -> Any:
    return emulator_factory(seed=seed(), tokens=(), page_size=2)


@pytest.fixture
def cli(world: Any) -> Iterator[Cli]:
    runner = Cli(host=world.url)
    yield runner
    runner.assert_no_secrets()
