"""What the kind tests share: manifests loaded as users write them and what each kind builds
from them; live objects as each kind reads them from the emulator over HTTP, or as built by
hand; changes as diff plans them; and exports as manifest text, without a server (export is
a pure function of what was read)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, cast

from reconciler.client import CircleCI, ClientConfig
from reconciler.core import (
    ExportContext,
    Exported,
    FetchContext,
    Kind,
    PlanContext,
    Resource,
    Scope,
    State,
)
from reconciler.diff import diff
from reconciler.exporting.handsoff import HandsOff
from reconciler.exporting.placeholders import Placeholders
from reconciler.exporting.yamltext import Block, dump
from reconciler.ledger import Ledger
from reconciler.manifest import Manifest, SecretResolver, load_manifest
from reconciler.resources import REGISTRY
from reconciler.resources.context_restriction import Groups
from reconciler.resources.names import child_address, context_address, project_address
from reconciler.resources.project import ProjectIds
from reconciler.resources.schedule import TokenUser
from tests.support.emulator_fixture import RunningEmulator


def fetched(
    org: str = "gh/acme",
    user_id: str = "u1",
    project_ids: dict[str, str] | None = None,
    groups: dict[str, str] | None = None,
    groups_read: bool = False,
) -> FetchContext:
    """What an export's live read learnt; no API is called after it."""
    scope = Manifest.model_construct(version=1, organization=org, projects={}, contexts={})
    ctx = FetchContext(api=cast(CircleCI, None), manifest=scope, org_slug=org, read_all=True)
    ctx.facts(TokenUser).id = user_id
    ctx.facts(ProjectIds).ids.update(project_ids or {})
    ctx.facts(Groups).ids.update(groups or {})
    ctx.facts(Groups).read = groups_read
    return ctx


def project(slug: str, pid: str, name: str = "") -> Resource:
    ids = {"id": pid, "slug": slug} | ({"name": name} if name else {})
    return Resource(kind="project", address=project_address(slug), name=slug, ids=ids)


def context(name: str, cid: str) -> Resource:
    return Resource(kind="context", address=context_address(name), name=name, ids={"id": cid})


def child(kind: str, parent: Resource, segment: str, name: str | None, **parts: Any) -> Resource:
    """A live object under `parent`; `name` None: the parent's only one (`settings`)."""
    return Resource(
        kind=kind,
        address=child_address(parent.address, segment, name),
        name=name or segment,
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


# --- desired, live and compare, through the kinds' public behaviour ---------------------------


def load(tmp_path: Path, body: str, org: str = "gh/acme") -> Manifest:
    """A manifest as users write it: `body` (YAML under the header) in a file, loaded."""
    path = tmp_path / "circleci.yaml"
    path.write_text(f"version: 1\norganization: {org}\n" + textwrap.dedent(body), "utf-8")
    return load_manifest([path])


def desired(
    kind: str, manifest: Manifest, ctx: PlanContext | None = None
) -> tuple[dict[str, Resource], list[Scope]]:
    """What `kind` builds from the manifest: its objects by address, and its scopes."""
    out, scopes = REGISTRY[kind].desired(ctx or PlanContext(manifest=manifest))
    return {r.address: r for r in out}, scopes


def client(emulator: RunningEmulator) -> CircleCI:
    """The real client, talking to the emulator over HTTP."""
    return CircleCI(ClientConfig(host=emulator.url, token=emulator.token))


def read_live(emulator: RunningEmulator, manifest: Manifest, kind_name: str) -> dict[str, Resource]:
    """`kind_name`'s live objects as it reads them from the emulator over HTTP, under the
    parents the manifest declares: its lookups, then its parents' reads, its reads, its settle."""
    api = client(emulator)
    try:
        return _read(api, manifest, REGISTRY[kind_name])
    finally:
        api.close()


def _read(api: CircleCI, manifest: Manifest, kind: Kind) -> dict[str, Resource]:
    org = api.get_organization(manifest.organization)
    ctx = FetchContext(api=api, manifest=manifest, org_id=org["id"], org_slug=org["slug"])
    for lookup in kind.lookups(ctx):
        lookup()
    projects = REGISTRY["project"].fetch(ctx, None)  # project ids, for every kind that needs one
    if kind.parent_kind is None:
        found = projects if kind.name == "project" else kind.fetch(ctx, None)
    else:
        parent_kind = REGISTRY[kind.parent_kind]
        parents = projects if parent_kind.name == "project" else parent_kind.fetch(ctx, None)
        found = [r for p in parents if kind.wants(ctx, p) for r in kind.fetch(ctx, p)]
    return {r.address: r for r in kind.settle(ctx, found)}


def plan_ctx(manifest: Manifest, ledger: Ledger | None = None, **environ: str) -> PlanContext:
    """Planning with secrets read from `environ`, with or without a ledger."""
    return PlanContext(manifest=manifest, resolver=SecretResolver(environ), ledger=ledger)


WRITTEN_AT = "2020-01-01T00:00:00Z"


def ledger(tmp_path: Path, *written: tuple[str, str, int | None]) -> Ledger:
    """A keyed ledger that recorded each (address, value, version) as written at WRITTEN_AT."""
    out = Ledger(tmp_path / "ledger.json", key="test-ledger-key")
    for address, value, version in written:
        out.record(address, value, version, WRITTEN_AT)
    return out


def changes(
    want: list[Resource],
    have: list[Resource],
    ctx: PlanContext,
    scopes: list[Scope] | None = None,
) -> list[tuple[str, str, list[str]]]:
    """(action, address, changed fields) of every change diff plans; live objects the
    `scopes` own and the manifest does not declare are deleted."""
    desired_state, live_state = State(scopes=set(scopes or [])), State()
    desired_state.add(want)
    live_state.add(have)
    found, _ = diff(desired_state, live_state, REGISTRY, ctx)
    return [(c.action, c.address, c.changed) for c in found]
