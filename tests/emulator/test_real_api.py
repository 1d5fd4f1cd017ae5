"""Answers the emulator gives because CircleCI's own clients, its newer spec or recordings
show them (reconciler/emulator/README.md, "Evidence from CircleCI's own clients")."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator.seed import SeedError, build_world
from tests.emulator.helpers import Client

STANDALONE = "circleci/DrNsW5SW6K42zooKCzkVek"
SCHEDULE = {
    "name": "nightly",
    "timetable": {"per-hour": 1, "hours-of-day": [3], "days-of-week": ["MON"]},
    "attribution-actor": "system",
    "parameters": {"branch": "main"},
}


@pytest.fixture
def standalone(emulator_factory: Any) -> tuple[Client, str]:
    emu = emulator_factory(seed={"organizations": {STANDALONE: {}}})
    api = Client(emu.api, emu.token)
    made = api.post(f"/organization/{STANDALONE}/project", json={"name": "app"}).json()
    return api, made["slug"]


def test_standalone_projects_have_no_schedules_nor_checkout_keys(
    standalone: tuple[Client, str],
) -> None:
    # Spec: checkout-key create "Not available to projects that use GitLab or GitHub App";
    # schedule create/update/delete "Not yet available" to them.
    api, slug = standalone
    resp = api.post(f"/project/{slug}/checkout-key", json={"type": "deploy-key"})
    assert resp.status_code == 400 and "GitLab or GitHub App" in resp.json()["message"]
    resp = api.post(f"/project/{slug}/schedule", json=SCHEDULE)
    assert resp.status_code == 400 and "GitLab or GitHub App" in resp.json()["message"]
    # Reading the lists is documented without that restriction: they are simply empty.
    assert api.get(f"/project/{slug}/schedule").json()["items"] == []
    assert api.get(f"/project/{slug}/checkout-key").json()["items"] == []


def test_a_seed_cannot_give_a_standalone_project_schedules() -> None:
    seed = {"organizations": {STANDALONE: {"projects": {}}}}
    seed["organizations"][STANDALONE]["projects"] = {
        f"{STANDALONE}/TR2eS1FtBshdqkgqtiiaDa": {"checkout_keys": ["deploy-key"]}
    }
    with pytest.raises(SeedError, match="not available to standalone projects"):
        build_world(seed, [])
