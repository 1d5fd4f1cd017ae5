"""Names and ids from the command line or from the API stay one path segment each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.client import CircleCI, ClientConfig
from reconciler.client.slugs import org_path, split_project
from reconciler.errors import ReconcilerError
from tests.e2e.harness import TOKEN, Cli


@pytest.mark.parametrize(
    "org", ["gh/acme/../../../me", "gh/..", "../me", "gh/acme/x", "gh/ac\x00me", "gh/%2E%2E"]
)
def test_export_refuses_an_organization_that_climbs_out_of_its_route(
    cli: Cli, world: Any, tmp_path: Path, org: str
) -> None:
    run = cli("export", "--org", org, "-o", tmp_path / "out.yaml")
    assert run.exit_code == 1 and "Error:" in run.stderr
    assert not (tmp_path / "out.yaml").exists()
    assert not [r for r in world.requests() if r["path"] in ("/api/v2/me", "/api/v2/me/")]


def test_slugs_and_ids_are_checked_where_paths_are_built(world: Any) -> None:
    for bad in ("gh/acme/..", "gh/./api", "gh/acme/a\nb", "gh//api"):
        with pytest.raises(ReconcilerError):
            split_project(bad)
    assert org_path("gh/acme") == "gh/acme"
    assert org_path("3a35ba77-c140-497e-bfe9-4b01c9d1dd13").startswith("3a35ba77")
    api = CircleCI(ClientConfig(host=world.url, token=TOKEN))
    for hostile_id in ("..", ".", "a\r\nb"):  # as a hostile server might send
        with pytest.raises(ReconcilerError, match="refusing a request path"):
            api.delete_context(hostile_id)
    assert world.requests() == []
