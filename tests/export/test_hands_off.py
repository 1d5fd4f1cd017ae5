"""What cannot be written back faithfully is left alone, never dropped from an owned list
(apply would delete it): the export says why, and planning it still changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.export.helpers import client, comments, export_to, plan
from tests.export.seed import API, ORG, TOKEN, TOOLS, WEB, seed


def _world(emulator: Any) -> Any:
    return emulator.server.world


def test_what_cannot_be_written_is_left_alone(emulator_factory: Any, tmp_path: Path) -> None:
    data = seed()
    data["organizations"][ORG]["projects"][WEB]["checkout_keys"] = ["deploy-key", "deploy-key"]
    emulator = emulator_factory(seed=data, tokens=(TOKEN,), page_size=2)
    world = _world(emulator)
    with world.lock:
        # A schedule made before parameters needed a branch or tag, and a project renamed
        # since a context was restricted to it (its name no longer gives its slug).
        hourly = next(s for s in world.schedules.values() if s["name"] == "hourly")
        hourly["parameters"] = {"debug": True}
        tools = next(p for p in world.projects.values() if p["slug"] == TOOLS)
        tools["name"] = "tools-renamed"

    yaml_text, m = export_to(client(emulator, TOKEN), ORG, [API, WEB], tmp_path / "m.yaml")
    text = comments(yaml_text)
    assert m.projects[WEB].checkout_keys is None
    assert "deploy-key keys are live more than once" in text
    assert "hourly" not in (m.projects[API].schedules or {})
    assert m.policy.ignore.schedules == ["hourly"]
    assert "schedule 'hourly' of gh/acme/api: parameters need a branch or a tag" in text
    assert m.contexts["npm"].restrictions is None
    assert f"project id {tools['id']} (name tools-renamed)" in text

    result = plan(m, client(emulator, TOKEN), {})
    assert [(c.address, c.action) for c in result.plan.changes] == []


def test_a_schedule_run_as_someone_else_says_so(emulator_factory: Any, tmp_path: Path) -> None:
    data = seed()
    data["users"].insert(0, {"login": "alice", "token": "alice-token", "organizations": [ORG]})
    emulator = emulator_factory(seed=data, tokens=(TOKEN,), page_size=2)
    text, m = export_to(client(emulator, TOKEN), ORG, [API], tmp_path / "m.yaml")
    # `keep`: the round trip plans no move to whoever applies the manifest.
    assert "attribution_actor: keep  # runs as alice; `keep` leaves it so" in text
    assert "attribution_actor: system\n" in text  # the nightly one is not anyone's
