"""Injected 500s follow the route's own error shape: `{"message": ...}` by default, or the
key its handler declares (`error_key`), as the Policy Management routes' `{"error": ...}`."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from reconciler.emulator import EmulatorConfig, EmulatorServer
from reconciler.emulator import app as emulator_app
from reconciler.emulator.http import Ctx, Reply


def _plain(ctx: Ctx) -> Reply:
    return Reply(200, {"ok": True})


def _worded(ctx: Ctx) -> Reply:
    return Reply(200, {"ok": True})


_worded.error_key = "error"  # type: ignore[attr-defined]


def _broken(ctx: Ctx) -> Reply:
    raise RuntimeError("a bug")


_broken.error_key = "error"  # type: ignore[attr-defined]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Any:
    routes = [("/v2/x/plain", "GET", _plain), ("/v2/x/worded", "GET", _worded)]
    routes.append(("/v2/x/broken", "GET", _broken))
    monkeypatch.setattr(emulator_app, "ROUTES", routes)
    made = []

    def start(rate: float) -> str:
        srv = EmulatorServer(EmulatorConfig(tokens=["t"], fault_rate=rate, fault_seed=1))
        made.append(srv)
        return srv.start() + "/api/v2/x"

    yield start
    for srv in made:
        srv.stop()


def test_injected_and_bug_500s_use_the_routes_error_key(server: Any) -> None:
    base = server(1.0)
    shapes = {}
    for _ in range(30):
        for route in ("plain", "worded"):
            got = requests.get(f"{base}/{route}", headers={"Circle-Token": "t"}, timeout=10)
            if got.status_code == 500:
                shapes[route] = got.json()
    assert shapes == {
        "plain": {"message": "Internal server error."},
        "worded": {"error": "unexpected server error"},
    }
    calm = server(0.0)
    bug = requests.get(f"{calm}/broken", headers={"Circle-Token": "t"}, timeout=10)
    assert (bug.status_code, bug.json()) == (500, {"error": "unexpected server error"})
