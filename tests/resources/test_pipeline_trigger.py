"""Triggers: cron expressions checked field by field; repository triggers, which CircleCI
does not name, matched to the manifest's names."""

from __future__ import annotations

from datetime import datetime

import pytest

from reconciler.core import Resource
from reconciler.resources import cron
from reconciler.resources.pipeline_trigger import _name_repo_triggers


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("0 2 * *", "a cron expression has 5 fields"),
        ("60 2 * * *", "minute field: 60 is outside 0-59"),
        ("0 24 * * *", "hour field: 24 is outside 0-23"),
        ("0 2 0 * *", "day of month field: 0 is outside 1-31"),
        ("0 2 * FOO *", "month field: 'FOO' is not a number or a name (JAN...DEC)"),
        ("0 2 * * 8", "day of week field: 8 is outside 0-7"),
        ("*/0 2 * * *", "minute field: step '0' must be a whole number above 0"),
        ("0 5-2 * * *", "hour field: range '5-2' runs backwards"),
        ("0 1,,2 * * *", "hour field: '1,,2' has an empty list item"),
        ("² 2 * * *", "a cron expression is written in ASCII"),  # a digit to str.isdigit
        ("0 \u0663 * * *", "a cron expression is written in ASCII"),  # int() reads it as 3
        ("0\u00a02 * * *", "a cron expression is written in ASCII"),  # str.split splits it
    ],
)
def test_each_field_is_checked_on_its_own(expression: str, words: str) -> None:
    with pytest.raises(cron.CronError, match="^" + words.replace("(", r"\(").replace(")", r"\)")):
        cron.parse(expression)


def test_firing_times_follow_classic_cron() -> None:
    assert cron.fires("*/15 3,4 * * MON-FRI", datetime(2026, 3, 2, 4, 45))  # a Monday
    assert not cron.fires("*/15 3,4 * * MON-FRI", datetime(2026, 3, 1, 4, 45))  # a Sunday
    assert cron.fires("0 0 * * 7", datetime(2026, 3, 1, 0, 0))  # 7 is Sunday too
    # Both day fields restricted: either one matches.
    assert cron.fires("0 0 1 * MON", datetime(2026, 3, 2, 0, 0))
    assert cron.fires("0 0 1 * MON", datetime(2026, 4, 1, 0, 0))
    assert not cron.fires("0 0 1 * MON", datetime(2026, 4, 2, 0, 0))


def _live(id_: str, preset: str | None, repo: str = "acme/api") -> Resource:
    fields = {"provider": "github_app", "repo": repo, "disabled": False}
    if preset:
        fields["event_preset"] = preset
    name = preset or "github_app"
    return Resource("pipeline_trigger", f"d.trigger[{name}]", name, "d", fields, ids={"id": id_})


def _want(preset: str | None, repo: str = "acme/api") -> dict[str, object]:
    out: dict[str, object] = {"provider": "github_app", "repo": repo, "disabled": False}
    if preset:
        out["event_preset"] = preset
    return out


def test_repository_triggers_take_the_manifests_names() -> None:
    push, prs, other = (
        _live("1", "all-pushes"),
        _live("2", "only-open-prs"),
        _live("3", "only-tags"),
    )
    _name_repo_triggers(
        [push, prs, other],
        {"push": _want("all-pushes"), "prs": _want("only-open-prs")},
    )
    assert [push.name, prs.name, other.name] == ["push", "prs", "only-tags"]
    assert push.address == "d.trigger[push]"


def test_a_changed_preset_keeps_the_name_when_only_one_could_match() -> None:
    push = _live("1", "all-pushes")
    _name_repo_triggers([push], {"push": _want("default-branch-pushes")})
    assert push.name == "push"  # so the plan updates it in place


def test_a_made_up_name_never_takes_a_manifests_or_anothers() -> None:
    a, b = _live("1", "only-tags"), _live("2", "only-tags", repo="acme/docs")
    _name_repo_triggers([a, b], {"only-tags": _want("all-pushes", repo="acme/web")})
    assert {a.name, b.name} == {"only-tags:1", "only-tags:2"}
