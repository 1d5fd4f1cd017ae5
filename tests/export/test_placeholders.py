"""Placeholder names: valid variable names, unique, never the reconciler's own, and stable
whatever the order objects are met in."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.exporting.placeholders import Placeholders, Ref, part
from reconciler.manifest.names import RESERVED_ENV

NAME = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12) | st.sampled_from(
    ["aws-prod", "aws_prod", "AWS PROD", "1password", "ctx-aws", "--", "é", "CIRCLECI", "TOKEN"]
)
OBJECT = st.tuples(st.sampled_from(["project", "context", "webhook"]), NAME, NAME)


def _register(ph: Placeholders, obj: tuple[str, str, str]) -> Ref:
    kind, owner, name = obj
    if kind == "project":
        return ph.project_env_var(f"gh/acme/{owner}", name)
    if kind == "context":
        return ph.context_env_var(owner, name)
    return ph.webhook_secret(f"gh/acme/{owner}", name)


@settings(max_examples=200, deadline=None)
@given(objects=st.lists(OBJECT, unique=True, max_size=25), data=st.data())
def test_names_are_valid_unique_and_stable(
    objects: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    ph = Placeholders()
    refs = [_register(ph, o) for o in objects]
    listing = ph.resolve()
    names = [r.name for r in refs]
    assert len(set(names)) == len(objects) == len(listing)
    assert all(re.fullmatch(r"[A-Z_][A-Z0-9_]*", n) for n in names)
    assert not set(names) & RESERVED_ENV
    assert [n for n, _ in listing] == sorted(names)
    shuffled = data.draw(st.permutations(objects))
    again = Placeholders()
    again_refs = {o: _register(again, o) for o in shuffled}
    again.resolve()
    assert [again_refs[o].name for o in objects] == names


def test_readable_names_and_clashes() -> None:
    ph = Placeholders()
    npm = ph.project_env_var("gh/acme/api", "NPM_TOKEN")
    aws = ph.context_env_var("aws-prod", "AWS_ACCESS_KEY_ID")
    twin = ph.context_env_var("aws_prod", "AWS_ACCESS_KEY_ID")
    hook = ph.webhook_secret("gh/acme/my-api", "slack")
    digit = ph.project_env_var("gh/acme/1password", "X")
    listing = dict(ph.resolve())
    assert npm.name == "API__NPM_TOKEN"
    assert hook.name == "MY_API__WEBHOOK_SLACK"
    assert digit.name == "_1PASSWORD__X"
    assert aws.name != twin.name
    assert re.fullmatch(r"CTX_AWS_PROD__AWS_ACCESS_KEY_ID_[0-9A-F]{6}", aws.name)
    assert listing[aws.name] == "context aws-prod, env var AWS_ACCESS_KEY_ID"
    assert part("a--b__c ") == "A_B_C" and part("--") == "X"
