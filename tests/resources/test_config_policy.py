"""The dry run judges a differing bundle: a policy CircleCI holds in its own spelling of the
same text is not planned, and a bundle CircleCI refuses stops the plan with its words."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from reconciler.client import CircleCI
from reconciler.engine import make_plan
from reconciler.errors import ApiError, ReconcilerError
from reconciler.manifest import load_manifest
from reconciler.resources.config_policy import ConfigPolicyKind

ORG = "7f1f1f4e-2c9b-4d5e-9a0b-1c2d3e4f5a6b"


class FakeApi:
    def __init__(self, live: dict[str, str], answer: Any) -> None:
        self.live, self.answer, self.sent = live, answer, []

    def get_organization(self, slug: str) -> dict[str, Any]:
        return {"id": ORG, "slug": slug}

    def exchange_object(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        if method == "GET":
            return {n: [{"name": n, "content": t, "created_at": "x"}] for n, t in self.live.items()}
        self.sent.append((method, path, kw.get("params")))
        if isinstance(self.answer, Exception):
            raise self.answer
        return cast(dict[str, Any], self.answer)


def manifest(tmp_path: Path, policies: dict[str, str]) -> Any:
    (tmp_path / "policies").mkdir()
    for name, text in policies.items():
        (tmp_path / "policies" / f"{name}.rego").write_text(text, encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text(
        "version: 1\norganization: gh/acme\n"
        "organization_settings:\n  config_policies:\n    directory: policies\n",
        encoding="utf-8",
    )
    return load_manifest([path])


def plan(m: Any, api: FakeApi) -> Any:
    return make_plan(m, cast(CircleCI, api), kinds={"config_policy": ConfigPolicyKind()})


def test_circleci_spelling_of_the_same_policy_is_not_planned(tmp_path: Path) -> None:
    mine = 'package org\npolicy_name["a"]\n'
    theirs = 'package org\n\npolicy_name["a"]\n'  # as CircleCI may store it, reformatted
    api = FakeApi({"a": theirs}, {"created": [], "modified": [], "deleted": []})
    result = plan(manifest(tmp_path, {"a": mine}), api)
    assert result.plan.empty
    assert api.sent == [("POST", f"/owner/{ORG}/context/config/policy-bundle", {"dry": "true"})]


def test_what_the_dry_run_names_is_planned(tmp_path: Path) -> None:
    api = FakeApi({"a": "old"}, {"created": ["b"], "modified": ["a"], "deleted": []})
    m = manifest(tmp_path, {"a": 'package org\npolicy_name["a"]\n', "b": 'policy_name["b"]\n'})
    actions = {c.address: c.action for c in plan(m, api).plan.changes}
    assert actions == {
        "organization.config_policy[a]": "update",
        "organization.config_policy[b]": "create",
    }


@pytest.mark.parametrize(
    "answer",
    [
        {},  # emptied: says nothing is created, though `b` is
        {"created": ["b"], "modified": [], "deleted": ["gone"]},  # a policy the read missed
        {"created": "b"},  # not a list
    ],
)
def test_a_dry_run_that_disagrees_with_the_bundle_read_stops_the_plan(
    tmp_path: Path, answer: Any
) -> None:
    api = FakeApi({"a": "old"}, answer)
    m = manifest(tmp_path, {"a": 'package org\npolicy_name["a"]\n', "b": 'policy_name["b"]\n'})
    with pytest.raises(ApiError, match="unexpected shape"):
        plan(m, api)


@pytest.mark.parametrize("status", [400, 413])
def test_a_refused_bundle_stops_the_plan_with_circlecis_words(tmp_path: Path, status: int) -> None:
    refused = ApiError("failed to parse policy file(s): a.rego:3: oops", status=status)
    api = FakeApi({}, refused)
    with pytest.raises(ReconcilerError) as caught:
        plan(manifest(tmp_path, {"a": 'package org\npolicy_name["a"]\n'}), api)
    assert f"CircleCI refuses the policy bundle in policies (HTTP {status})" in str(caught.value)
    assert "a.rego:3: oops" in str(caught.value)
