"""What an export writes: a valid manifest of the given projects and every context, read
through every page, sorted, deterministic, with a placeholder listed for every secret."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from ruamel.yaml import YAML

from reconciler.errors import NotFound, ReconcilerError
from reconciler.export import export_manifest
from reconciler.exporting.document import MODELINE
from reconciler.manifest import json_schema
from tests.export.helpers import client, export_to
from tests.export.seed import API, HOOK_SECRET, ORG, SECRETS, TOKEN, TOOLS, WEB, seed


@pytest.fixture
def emulator(emulator_factory: Any) -> Any:
    return emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)


def _header_names(text: str) -> list[str]:
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if "Set every one of these" in ln) + 1
    names = []
    for ln in lines[start:]:
        if not ln.startswith("#   "):
            break
        names.append(ln.split()[1])
    return names


def _refs(text: str) -> list[str]:
    return re.findall(r"\{env: ([A-Za-z0-9_]+)\}", text)


def test_every_object_is_exported_and_the_manifest_validates(emulator: Any, tmp_path: Path) -> None:
    api = client(emulator, TOKEN)
    text, m = export_to(api, ORG, [API, WEB], tmp_path / "m.yaml")
    assert text.split("\n", 1)[0] == f"# {MODELINE}"
    # Editors check it against the published schema too.
    jsonschema.Draft202012Validator(json_schema()).validate(YAML(typ="safe").load(text))
    assert m.organization == ORG
    assert sorted(m.projects) == [API, WEB]  # TOOLS is only named by a restriction
    api_p, web_p = m.projects[API], m.projects[WEB]
    assert sorted(api_p.env_vars or {}) == ["LOG_LEVEL", "NPM_TOKEN", "SENTRY_DSN", "on"]
    assert sorted(web_p.env_vars or {}) == ["A", "CDN_KEY", "NPM_TOKEN"]
    assert [str(k.value) for k in api_p.checkout_keys or []] == ["deploy-key", "user-key"]
    assert sorted(api_p.schedules or {}) == ["hourly", "nightly", "weekly"]
    assert sorted(api_p.webhooks or {}) == ["audit log", "pager", "slack"]
    assert web_p.schedules == {} and web_p.webhooks == {}
    settings = api_p.settings
    # Every setting but `oss`, which is read-only in CircleCI.
    assert settings is not None and len(settings.model_fields_set) == 9
    assert settings.build_fork_prs is True and settings.pr_only_branch_overrides == [
        "main",
        "release",
    ]
    nightly = (api_p.schedules or {})["nightly"]
    assert nightly.parameters == {"branch": "main", "run-nightly": True, "depth": 3, "mode": "on"}
    assert (
        nightly.timetable.hours_of_day == [1, 3]
        and str(nightly.attribution_actor.value) == "system"
    )
    slack = (api_p.webhooks or {})["slack"]
    assert slack.verify_tls is False and [e.value for e in slack.events] == [
        "job-completed",
        "workflow-completed",
    ]
    assert sorted(m.contexts) == ["aws-prod", "aws_prod", "empty", "no vars", "npm"]
    r = m.contexts["aws-prod"].restrictions
    # A GitHub OAuth org cannot list its groups (teams): they are exported by id, and said so.
    [(group_id, group)] = next(iter(emulator.state()["organizations"].values()))["groups"].items()
    assert group["name"] == "platform" and "groups are shown by id" in text
    assert r is not None and r.projects == [API, WEB] and r.groups == [group_id]
    assert r.expressions == ["a: b # c", 'pipeline.git.branch == "main"']
    npm = m.contexts["npm"].restrictions
    assert npm is not None and npm.projects == [TOOLS]  # mapped back from its id by name
    assert m.contexts["no vars"].env_vars == {}


def test_every_list_was_read_past_its_first_page(emulator: Any, tmp_path: Path) -> None:
    emulator.reset_requests()
    export_to(client(emulator, TOKEN), ORG, [API, WEB], tmp_path / "m.yaml")
    paged = {
        re.sub(r"/[0-9a-f-]{36}", "/ID", unquote(r["path"]))
        for r in emulator.requests()
        if "page-token=" in (r.get("query") or "")
    }
    # The lists the emulator pages (others answer in one page, as CircleCI's do).
    for path in (
        f"/api/v2/project/{API}/schedule",
        "/api/v2/context",
        "/api/v2/context/ID/environment-variable",
    ):
        assert path in paged, f"{path} was never read past its first page: {sorted(paged)}"


def test_placeholders_are_listed_unique_and_hold_no_value(emulator: Any, tmp_path: Path) -> None:
    text, m = export_to(
        client(emulator, TOKEN), ORG, [API, WEB], tmp_path / "m.yaml", placeholders=True
    )
    refs = _refs(text)
    assert len(refs) == len(set(refs)) == len(SECRETS) + 3  # every env var, 3 signing secrets
    assert _header_names(text) == sorted(refs)
    assert all(re.fullmatch(r"[A-Z_][A-Z0-9_]*", r) for r in refs)
    aws = [
        (m.contexts[c].env_vars or {})["AWS_ACCESS_KEY_ID"].env for c in ("aws-prod", "aws_prod")
    ]
    assert aws[0] != aws[1] and all(a and a.startswith("CTX_AWS_PROD__") for a in aws)
    assert (m.projects[API].env_vars or {})["NPM_TOKEN"].env == "API__NPM_TOKEN"
    for value in [*SECRETS.values(), HOOK_SECRET]:
        if len(value) > 4:
            assert value not in text


def test_output_is_sorted_and_the_same_every_time(emulator: Any) -> None:
    api = client(emulator, TOKEN)
    first = export_manifest(api, ORG, [WEB, API, "github/acme/web"])
    assert export_manifest(api, "github/acme", [API, WEB]) == first
    keys = [
        ln.strip().split(":")[0]
        for ln in first.split("\n")
        if ln.startswith("      ") and ln[6] != " "
    ]
    assert first.index("  gh/acme/api:") < first.index("  gh/acme/web:")
    assert first.index("  aws-prod:") < first.index("  aws_prod:") < first.index("  npm:")
    assert keys  # nested keys exist; each mapping below is in sorted order
    for block in re.findall(r"\n    env_vars:\n((?:      .*\n)+)", first):
        names = [ln.split(":")[0].strip().strip('"') for ln in block.splitlines()]
        assert names == sorted(names)


def test_unknown_or_foreign_projects_are_clean_errors(emulator_factory: Any) -> None:
    world = seed()
    world["organizations"]["gh/other"] = {"projects": {"gh/other/x": {}}}
    world["users"][0]["organizations"].append("gh/other")
    emulator = emulator_factory(seed=world, tokens=(TOKEN,), page_size=2)
    api = client(emulator, TOKEN)
    with pytest.raises(NotFound, match="gh/acme/nope does not exist"):
        export_manifest(api, ORG, ["gh/acme/nope"])
    with pytest.raises(ReconcilerError, match="gh/other/x is not in organization gh/acme"):
        export_manifest(api, ORG, ["gh/other/x"])
