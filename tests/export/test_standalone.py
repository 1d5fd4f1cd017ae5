"""A standalone (circleci/) organization: opaque slugs, and a restriction on a project that
was not exported is named by the slug its id gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.manifest.names import base58_of_uuid
from tests.export.helpers import client, export_to, plan

ORG_ID = "68129642-b377-4bd1-a534-a94d01d2db25"
APP_ID = "d5e87839-1c7a-4f5b-9a0e-3c2b1a0f9e8d"
LIB_ID = "0b1c2d3e-4f50-4617-8a9b-c0d1e2f3a4b5"
ORG = f"circleci/{base58_of_uuid(ORG_ID)}"
APP = f"{ORG}/{base58_of_uuid(APP_ID)}"
LIB = f"{ORG}/{base58_of_uuid(LIB_ID)}"
TOKEN = "standalone-token"


def test_standalone_slugs_round_trip(emulator_factory: Any, tmp_path: Path) -> None:
    world = {
        "users": [{"login": "dev", "token": TOKEN, "organizations": [ORG]}],
        "organizations": {
            ORG: {
                "id": ORG_ID,
                "projects": {
                    APP: {"id": APP_ID, "name": "app", "env_vars": {"K": "v-0001"}},
                    LIB: {"id": LIB_ID, "name": "lib"},
                },
                "contexts": {"deploy": {"restrictions": {"projects": [APP, LIB]}}},
            }
        },
    }
    emulator = emulator_factory(seed=world, tokens=(TOKEN,), page_size=2)
    api = client(emulator, TOKEN)
    text, m = export_to(api, ORG, [APP], tmp_path / "m.yaml", placeholders=True)
    assert m.organization == ORG and list(m.projects) == [APP]
    r = m.contexts["deploy"].restrictions
    assert r is not None and r.projects == sorted([APP, LIB])
    env = {(m.projects[APP].env_vars or {})["K"].env or "": "v-0001"}
    assert list(env) == ["APP__K"]  # named after the project, not its opaque key
    assert plan(m, api, env).plan.changes == []
