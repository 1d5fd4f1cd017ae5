"""A kind may write files beside the exported manifest (a policy bundle kept in the
repository): export hands it a dict to fill when it writes to a file, None on stdout."""

from __future__ import annotations

from typing import Any, cast

from reconciler.client import CircleCI
from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    Kind,
    PlanContext,
    Resource,
    Scope,
    State,
)
from reconciler.exporting.document import build
from reconciler.manifest import Manifest


class Filed(Kind):
    name = "filed"
    label = "filed"
    collection = "filed"

    def __init__(self) -> None:
        self.given: list[Any] = []

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        return [], []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        return []

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        self.given.append(ctx.files)
        if ctx.files is not None:
            ctx.files["rules/a.txt"] = "kept beside the manifest\n"
        return Exported()

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return desired

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        pass


def test_kinds_fill_the_files_dict_only_when_export_writes_a_file() -> None:
    scope = Manifest.model_construct(version=1, organization="gh/acme", projects={}, contexts={})
    fetch = FetchContext(api=cast(CircleCI, None), manifest=scope, org_slug="gh/acme")
    kind = Filed()
    files: dict[str, str] = {}
    build(fetch, State(), {"filed": kind}, files=files)
    build(fetch, State(), {"filed": kind})
    assert files == {"rules/a.txt": "kept beside the manifest\n"}
    assert kind.given == [files, None]
