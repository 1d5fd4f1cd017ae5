"""Every registered kind is complete: the contract's kinds, each with what the engine needs."""

from __future__ import annotations

import inspect
from typing import Any, cast

import pytest

from reconciler.core import ExportContext, Kind
from reconciler.errors import ReconcilerError
from reconciler.resources import REGISTRY
from tests.support.kinds import CONTRACT_KINDS

CONTRACT_KINDS = CONTRACT_KINDS


def test_registry_holds_exactly_the_contract_kinds_parents_first() -> None:
    assert set(REGISTRY) == CONTRACT_KINDS
    order = list(REGISTRY)
    for name, kind in REGISTRY.items():
        assert kind.name == name
        if kind.parent_kind is not None:
            assert kind.parent_kind in REGISTRY
            assert order.index(kind.parent_kind) < order.index(name)


def test_every_kind_implements_the_hooks_it_declares() -> None:
    for kind in REGISTRY.values():
        assert isinstance(kind, Kind)
        assert not inspect.isabstract(type(kind)), kind.name
        assert kind.label, f"{kind.name} needs a label for plan reasons"
        cls = type(kind)
        # A child kind must say when it is read; a kind with secrets must judge them.
        if kind.parent_kind is not None:
            assert cls.wants is not Kind.wants, f"{kind.name} must implement wants()"
        if kind.secret_fields:
            assert cls.secret_verdict is not Kind.secret_verdict, kind.name
        for sibling in kind.after_siblings:
            assert REGISTRY[sibling].parent_kind == kind.parent_kind
        assert kind.ignore_category in (None, "contexts", "env_vars", "webhooks", "schedules")


def test_kinds_with_an_update_route_implement_update() -> None:
    updatable = {n for n, k in REGISTRY.items() if type(k).update is not Kind.update}
    assert updatable == {
        "project",
        "project_settings",
        "project_env_var",
        "schedule",
        "webhook",
        "pipeline_definition",
        "pipeline_trigger",
        "context_env_var",
        "config_policy",
        "config_policy_settings",
        "oidc_claim",
        "project_oidc_claim",
    }


def test_every_kind_writes_itself_back_under_its_manifest_key() -> None:
    for kind in REGISTRY.values():
        assert type(kind).export is not Kind.export, f"{kind.name} must implement export()"
        assert kind.collection, f"{kind.name} needs the manifest key it is exported under"


def test_a_kind_without_export_is_a_clear_error() -> None:
    class Bare(Kind):
        name = "bare"

        def desired(self, ctx: Any) -> Any:
            return [], []

        def fetch(self, ctx: Any, parent: Any) -> Any:
            return []

        def create(self, ctx: Any, desired: Any) -> Any:
            return desired

        def delete(self, ctx: Any, live: Any) -> None:
            return None

    with pytest.raises(ReconcilerError, match="bare objects cannot be exported"):
        Bare().export(cast(ExportContext, None), None, [])
