"""Replace: a restriction whose project or group was made again under the same name points
at a dead id; it is replaced, the new restriction created before the old one goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.e2e.harness import TOKEN, Cli, complete, context_by_name, write_manifest

HEADERS = {"Circle-Token": TOKEN}


def _restrictions(world: Any) -> list[tuple[str, str]]:
    ctx = context_by_name(world.state(), "aws-prod")
    return sorted((r["restriction_type"], r["restriction_value"]) for r in ctx["restrictions"])


def test_project_made_again_is_a_replace(cli: Cli, world: Any, tmp_path: Path) -> None:
    data = complete()
    data["projects"]["gh/acme/other"] = {"create": True}
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    old = requests.get(f"{world.api}/project/gh%2Facme%2Fother", headers=HEADERS, timeout=5)
    old_id = old.json()["id"]
    requests.delete(
        f"{world.api}/project/gh%2Facme%2Fother", headers=HEADERS, timeout=5
    ).raise_for_status()

    plan = cli("plan", path, "--format", "json").json()
    by_address = {c["address"]: c for c in plan["changes"]}
    assert by_address["project[gh/acme/other]"]["action"] == "create"
    replace = by_address["context[aws-prod].restriction[project:gh/acme/other]"]
    assert replace["action"] == "replace" and replace["changed_fields"] == ["ref"]
    assert replace["before"]["ref"] == old_id and replace["after"]["ref"] is None
    assert replace["requires"] == ["project[gh/acme/other]"]

    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout
    new_id = requests.get(
        f"{world.api}/project/gh%2Facme%2Fother", headers=HEADERS, timeout=5
    ).json()["id"]
    assert ("project", new_id) in _restrictions(world)
    assert ("project", old_id) not in _restrictions(world)
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
