"""The renderers read what `Plan.to_dict()` really produces, not only the hand-written sample."""

from __future__ import annotations

import json

from reconciler.core import SENSITIVE, Change, Plan, Resource
from reconciler.render import render

API = "project[gh/acme/api]"


def _plan() -> Plan:
    live = Resource("project_env_var", f"{API}.env_var[OLD]", "OLD", parent=API)
    changes = [
        Change(
            address=f"{API}.env_var[NEW]",
            kind="project_env_var",
            action="create",
            reason="declared in the manifest, absent in CircleCI",
            parent=API,
            desired=None,
            live=None,
            sensitive=["value"],
            after={"value": SENSITIVE},
        ),
        Change(
            address=f"{API}.settings",
            kind="project_settings",
            action="update",
            reason="differs from the manifest: build_fork_prs",
            parent=API,
            desired=None,
            live=None,
            changed=["build_fork_prs"],
            before={"build_fork_prs": True},
            after={"build_fork_prs": False},
        ),
        Change(
            address=live.address,
            kind="project_env_var",
            action="delete",
            reason="not in the manifest, which owns this env var collection",
            parent=API,
            desired=None,
            live=live,
            sensitive=["value"],
            before={"value": SENSITIVE},
            wave=1,
        ),
    ]
    return Plan("gh/acme", changes, "sha256:00", notes=[f"{API}.env_var[X]: value not compared"])


def test_every_format_renders_a_real_plan() -> None:
    d = _plan().to_dict()
    text = render(d, "text")
    assert "Plan: 1 to create, 1 to update, 0 to replace, 1 to delete." in text
    assert "      value: (sensitive)" in text and "build_fork_prs: true -> false" in text
    md = render(d, "markdown")
    assert md.startswith("<!-- circleci-reconciler:plan organization=gh/acme -->\n")
    assert md.count("<details>") == 3
    assert json.loads(render(d, "json")) == json.loads(json.dumps(d))
