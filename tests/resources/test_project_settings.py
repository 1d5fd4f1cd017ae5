"""Settings export the booleans this tool manages; anything else is a note, `oss` nothing."""

from __future__ import annotations

from tests.resources.helpers import Export, child, project

API = project("gh/acme/api", "p1")


def test_managed_settings_are_written_and_others_noted() -> None:
    fields = {
        "build_fork_prs": True,
        "pr_only_branch_overrides": ["main", "dev"],
        "brand_new_toggle": True,
        "set_github_status": "yes",
        "oss": True,
    }
    out = Export(
        "project_settings",
        API,
        [child("project_settings", API, "settings", "settings", fields=fields)],
    )
    assert out.text == (
        "settings:\n  build_fork_prs: true\n  pr_only_branch_overrides: [dev, main]\n"
    )
    assert out.result.notes == [
        "setting brand_new_toggle is reported by CircleCI but not managed by this tool",
        "setting set_github_status has an unexpected value in CircleCI; left out",
    ]
