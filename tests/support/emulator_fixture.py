"""Pytest plugin: real emulator servers over HTTP on 127.0.0.1, stopped at teardown.

`emulator_factory` hands the session's contract observer (tests/support/contract.py) to every
server it makes, and at teardown fails the test if the observer saw contract violations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from reconciler.emulator import EmulatorConfig, EmulatorServer


@dataclass
class RunningEmulator:
    server: EmulatorServer
    url: str
    token: str | None

    @property
    def api(self) -> str:
        return self.url + "/api/v2"

    def requests(self) -> list[dict[str, Any]]:
        """Every API exchange since start or the last reset: {method, path, query, status}."""
        resp = requests.get(self.url + "/_emulator/requests", timeout=10)
        resp.raise_for_status()
        result: list[dict[str, Any]] = resp.json()
        return result

    def reset_requests(self) -> None:
        requests.post(self.url + "/_emulator/reset", timeout=10).raise_for_status()

    def fault(self, spec: str | dict[str, Any] | None) -> None:
        """Aim a hostile answer at a route (see reconciler/emulator/faults.py); None clears."""
        if spec is None:
            requests.delete(self.url + "/_emulator/faults", timeout=10).raise_for_status()
        else:
            requests.post(self.url + "/_emulator/faults", json=spec, timeout=10).raise_for_status()

    def answer(self, method: str, path: str, status: int, token: str, **kwargs: Any) -> Any:
        """The JSON answer of one API call under /api/v2, which must have `status`."""
        resp = requests.request(
            method, self.api + path, headers={"Circle-Token": token}, timeout=10, **kwargs
        )
        assert resp.status_code == status, (method, path, resp.status_code, resp.text)
        return resp.json()

    def state(self) -> dict[str, Any]:
        resp = requests.get(self.url + "/_emulator/state", timeout=10)
        resp.raise_for_status()
        result: dict[str, Any] = resp.json()
        return result


MakeEmulator = Callable[..., RunningEmulator]


@pytest.fixture
def emulator_factory(contract_observer: Any) -> Iterator[MakeEmulator]:
    servers: list[EmulatorServer] = []

    def make(
        seed: dict[str, Any] | None = None,
        tokens: tuple[str, ...] | list[str] = ("test-token",),
        page_size: int = 2,
        latency_ms: int = 0,
        rate_limit: float = 0,
        fault_rate: float = 0.0,
        fault_seed: int | None = 0,
        fault_rules: list[Any] | None = None,
    ) -> RunningEmulator:
        config = EmulatorConfig(
            seed=seed,
            tokens=list(tokens),
            page_size=page_size,
            latency_ms=latency_ms,
            rate_limit=rate_limit,
            fault_rate=fault_rate,
            fault_seed=fault_seed,
            fault_rules=list(fault_rules or []),
        )
        server = EmulatorServer(config, observer=contract_observer)
        servers.append(server)
        url = server.start()
        return RunningEmulator(server=server, url=url, token=tokens[0] if tokens else None)

    yield make
    for server in servers:
        server.stop()
    take = getattr(contract_observer, "take_violations", None)
    if take is not None:
        violations = take()
        assert not violations, "API contract violations:\n" + "\n".join(violations)


@pytest.fixture
def emulator(emulator_factory: MakeEmulator) -> RunningEmulator:
    return emulator_factory()
