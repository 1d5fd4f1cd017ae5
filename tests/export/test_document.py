"""Collections CircleCI refuses to show are left out with the reason, and the manifest
still validates; groups fall back to ids when their names cannot be read."""

from __future__ import annotations

from pathlib import Path

from reconciler.core import FetchContext, State
from reconciler.exporting.document import build
from reconciler.manifest import load_manifest
from reconciler.resources import REGISTRY
from tests.export.helpers import comments
from tests.resources.helpers import child, context, fetched, project, restriction

PID = "7c0a3d4e-94bb-4f6e-9c36-5a1f4a3b2c10"
GID = "0d8f5e2a-1b3c-4d5e-8f90-123456789abc"


def _org() -> tuple[State, FetchContext]:
    api = project("gh/acme/api", PID)
    prod, bad_name, future = (
        context("prod", "c1"),
        context(" padded ", "c2"),
        context("future", "c3"),
    )
    settings = {"build_fork_prs": True, "brand_new_toggle": True, "oss": None}
    live = State()
    live.add([api, bad_name, prod, future])
    live.add(
        [
            child("project_settings", api, "settings", "settings", fields=settings),
            child("project_env_var", api, "env_var", "OK"),
            child("project_env_var", api, "env_var", "9BAD"),
            child("checkout_key", api, "checkout_key", "deploy-key", fields={"type": "deploy-key"}),
            child(
                "checkout_key", api, "checkout_key", "mystery-key", fields={"type": "mystery-key"}
            ),
            restriction(prod, "group", GID),
            restriction(prod, "project", PID, "api"),
            restriction(future, "team", "t-1", "t"),
        ]
    )
    fetch = fetched(project_ids={"gh/acme/api": PID})
    fetch.unreadable = {
        (
            api.address,
            "schedule",
        ): "GET /project/gh/acme/api/schedule: HTTP 403: Permission denied.",
        (prod.address, "context_env_var"): "GET /context/c1/environment-variable: HTTP 404: nope",
        (None, "groups"): "GET /organizations/o1/groups: HTTP 404: Not found",
    }
    return live, fetch


def test_unreadable_parts_are_left_out_with_the_reason(tmp_path: Path) -> None:
    live, fetch = _org()
    yaml_text = build(fetch, live, REGISTRY)
    path = tmp_path / "m.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    text = comments(yaml_text)
    m = load_manifest([path])
    p = m.projects["gh/acme/api"]
    assert p.schedules is None and "schedules: could not be read (GET" in text
    assert "HTTP 403: Permission denied.); left out, so left alone" in text
    assert p.checkout_keys is None and "key types this tool does not know (['mystery-key'])" in text
    assert sorted(p.env_vars or {}) == ["OK"] and m.policy.ignore.env_vars == ["9BAD"]
    assert p.settings is not None and p.settings.model_fields_set == {"build_fork_prs"}
    assert "setting brand_new_toggle is reported by CircleCI but not managed" in text
    assert "oss" not in text  # read-only in CircleCI: never exported, so never refused
    c = m.contexts["prod"]
    assert c.env_vars is None and "env_vars: could not be read" in text
    assert c.restrictions is not None and c.restrictions.groups == [GID]
    assert c.restrictions.projects == ["gh/acme/api"]
    assert "groups are shown by id" in text
    assert list(m.contexts) == ["future", "prod"] and "context ' padded ' left out:" in text
    assert m.contexts["future"].restrictions is None
    assert "a manifest cannot name these: - team restriction t-1" in text
    assert "No secret values" not in text  # OK needs a placeholder


def test_an_organization_with_nothing_in_it(tmp_path: Path) -> None:
    text = build(fetched("gh/empty", ""), State(), REGISTRY)
    assert "No secret values: nothing to set before plan or apply." in text
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    m = load_manifest([path])
    assert m.projects == {} and m.contexts == {}
