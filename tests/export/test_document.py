"""Collections CircleCI refuses to show are left out with the reason, and the manifest
still validates; groups fall back to ids when their names cannot be read."""

from __future__ import annotations

from pathlib import Path

from reconciler.exporting.document import build
from reconciler.exporting.live import LiveContext, LiveOrg, LiveProject, Unreadable
from reconciler.manifest import load_manifest
from tests.export.helpers import comments

PID = "7c0a3d4e-94bb-4f6e-9c36-5a1f4a3b2c10"
GID = "0d8f5e2a-1b3c-4d5e-8f90-123456789abc"


def _org() -> LiveOrg:
    denied = Unreadable("GET /project/gh/acme/api/schedule: HTTP 403: Permission denied.")
    project = LiveProject(
        "gh/acme/api",
        PID,
        reads={
            "settings": {"build_fork_prs": True, "brand_new_toggle": True, "oss": None},
            "env_vars": [{"name": "OK"}, {"name": "9BAD"}],
            "checkout_keys": [{"type": "deploy-key"}, {"type": "mystery-key"}],
            "schedules": denied,
            "webhooks": [],
        },
    )
    ctx = LiveContext(
        "prod",
        "c1",
        reads={
            "env_vars": Unreadable("GET /context/c1/environment-variable: HTTP 404: nope"),
            "restrictions": [
                {"restriction_type": "group", "restriction_value": GID, "name": ""},
                {"restriction_type": "project", "restriction_value": PID, "name": "api"},
            ],
        },
    )
    bad_name = LiveContext(" padded ", "c2", reads={"env_vars": [], "restrictions": []})
    odd = {"restriction_type": "team", "restriction_value": "t-1", "name": "t"}
    future = LiveContext("future", "c3", reads={"env_vars": [], "restrictions": [odd]})
    return LiveOrg(
        slug="gh/acme",
        id="o1",
        user_id="u1",
        projects=[project],
        contexts=[bad_name, ctx, future],
        groups=Unreadable("GET /organizations/o1/groups: HTTP 404: Not found"),
        other_projects={},
    )


def test_unreadable_parts_are_left_out_with_the_reason(tmp_path: Path) -> None:
    yaml_text = build(_org())
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
    org = LiveOrg("gh/empty", "o", "", [], [], {}, {})
    text = build(org)
    assert "No secret values: nothing to set before plan or apply." in text
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    m = load_manifest([path])
    assert m.projects == {} and m.contexts == {}
