"""A collection CircleCI refuses to show (400, 403, 404) is left out of the export with the
reason, read through the same engine as plan."""

from __future__ import annotations

from typing import Any

from reconciler.core import ApplyContext, FetchContext, PlanContext, Resource, Scope
from reconciler.export import export_manifest
from reconciler.resources import REGISTRY
from reconciler.resources.collection import CollectionKind
from tests.export.helpers import client, comments
from tests.export.seed import API, ORG, TOKEN, seed


class Listed(CollectionKind):
    """A collection of every project, read from `path` (a route that refuses it)."""

    name = "listed"
    parent_kind = "project"
    collection = "zz_listed"
    label = "listed"

    def __init__(self, path: str) -> None:
        self.path = path

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        return [], []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        ctx.api.http.request("GET", self.path)
        return []

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return desired

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        return None


def test_a_refused_collection_is_left_out_with_the_reason(emulator_factory: Any) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    missing = "/context/00000000-0000-4000-8000-000000000000/environment-variable"  # 404
    kinds = {**REGISTRY, "listed": Listed(missing)}
    text = export_manifest(client(emulator, TOKEN), ORG, [API], kinds=kinds)
    assert "zz_listed: could not be read (" in comments(text)
    assert "404" in comments(text) and "left out, so left alone" in comments(text)
    written = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    assert not [ln for ln in written if "zz_listed" in ln]
    assert "gh/acme/api:" in text and "env_vars:" in text  # the rest is written
