"""Live objects as the kinds read them, and their export as manifest text, without a server:
export is a pure function of what was read."""

from __future__ import annotations

from typing import Any, cast

from reconciler.client.api import CircleCI
from reconciler.core import ExportContext, Exported, FetchContext, Resource, State
from reconciler.exporting.handsoff import HandsOff
from reconciler.exporting.placeholders import Placeholders
from reconciler.exporting.yamltext import Block, dump
from reconciler.manifest import Manifest
from reconciler.resources import REGISTRY
from reconciler.resources.names import child_address, context_address, project_address


def fetched(org: str = "gh/acme", user_id: str = "u1", **kw: Any) -> FetchContext:
    """What an export's live read learnt; no API is called after it."""
    scope = Manifest.model_construct(version=1, organization=org, projects={}, contexts={})
    return FetchContext(
        api=cast(CircleCI, None), manifest=scope, org_slug=org, user_id=user_id, read_all=True, **kw
    )


def project(slug: str, pid: str, name: str = "") -> Resource:
    ids = {"id": pid, "slug": slug} | ({"name": name} if name else {})
    return Resource(kind="project", address=project_address(slug), name=slug, ids=ids)


def context(name: str, cid: str) -> Resource:
    return Resource(kind="context", address=context_address(name), name=name, ids={"id": cid})


def child(kind: str, parent: Resource, segment: str, name: str, **parts: Any) -> Resource:
    return Resource(
        kind=kind,
        address=child_address(parent.address, segment, name),
        name=name,
        parent=parent.address,
        **parts,
    )


def restriction(parent: Resource, rtype: str, value: str, label: str = "") -> Resource:
    """As read, before ids are named: type, value and the id CircleCI stores."""
    fields = {"type": rtype, "value": value} | ({} if rtype == "expression" else {"ref": value})
    ids = {"id": f"r-{value}", "label": label}
    return child(
        "context_restriction", parent, "restriction", f"{rtype}:{value}", fields=fields, ids=ids
    )


class Export:
    """One kind's export of one parent's live objects, as text."""

    def __init__(
        self,
        kind: str,
        parent: Resource | None,
        live: list[Resource],
        also: tuple[Resource, ...] = (),
        **kw: Any,
    ):
        """`also`: other live objects of the read (projects a restriction names);
        `placeholders`: secrets as {env: ...} rather than adopted."""
        state = State()
        state.add([parent] if parent is not None else [])
        state.add([*live, *also])
        placeholders = Placeholders(kw.pop("placeholders", False))
        fetch = kw.pop("fetch", None) or fetched(**kw)
        self.ctx = ExportContext(fetch, state, placeholders, HandsOff())
        self.kind = REGISTRY[kind]
        self.result: Exported = self.kind.export(self.ctx, parent, live)
        self.placeholders = self.ctx.placeholders.resolve()

    @property
    def text(self) -> str:
        """The collection under its key ("" when left out)."""
        if self.result.value is None:
            return ""
        block = Block()
        block.add(self.kind.collection or "", self.result.value)
        return dump(block, [])

    @property
    def hands_off(self) -> dict[str, set[str]]:
        return self.ctx.hands_off.names
