"""The exported manifest: a header saying how secrets are written (listing every placeholder
to set), the organization's settings (each organization-level kind's key, written by the
kind), each top-level kind's section with its parents and their collections (written by the
kinds), and the policy that keeps hands off what could not be written back."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.core import ExportContext, FetchContext, Kind, Resource, State
from reconciler.exporting.factor import factor
from reconciler.exporting.handsoff import HandsOff
from reconciler.exporting.placeholders import Placeholders
from reconciler.exporting.yamltext import Block, dump
from reconciler.manifest.section import TOP

MODELINE = "yaml-language-server: $schema=../schemas/manifest.schema.json"

Children = dict[tuple[str | None, str], list[Resource]]  # (parent address, kind) -> objects


def _header(org: str, placeholders: Placeholders) -> list[str]:
    head = [
        MODELINE,
        "",
        f"The live CircleCI settings of {org}, written by `circleci-reconciler export`.",
        "The schema for the line above: circleci-reconciler schema --output "
        "schemas/manifest.schema.json",
        "",
    ]
    listing = placeholders.resolve()
    if listing:
        width = max(len(name) for name, _ in listing)
        return [
            *head,
            "CircleCI never returns secret values, so each one below is read from an environment",
            "variable. Set every one of these to the current value before plan or apply:",
            *(f"  {name.ljust(width)}  {what}" for name, what in listing),
            "",
        ]
    if not placeholders.adopted and not placeholders.left_out:
        return [*head, "No secret values: nothing to set before plan or apply.", ""]
    return [
        *head,
        "CircleCI never returns secret values, so none is written: each secret variable is",
        "adopted as `NAME: {}` (it must exist; plan never writes, compares or deletes it while",
        "it is declared), and a webhook's signing secret is left out (left alone: plan refuses",
        "an edit of that webhook that would drop it). Nothing to set before plan or apply. To",
        "manage a value, write {env: NAME} or {file: PATH} in its place; `export --placeholders`",
        "writes every secret as {env: ...}.",
        "",
    ]


def _parent(ctx: ExportContext, parent: Resource, kinds: list[Kind], live: Children) -> Block:
    """One parent: each collection CircleCI showed, in key order; one it refused is left
    out with the reason (a collection written in a manifest is authoritative)."""
    out = Block()
    for kind in sorted(kinds, key=lambda k: k.collection or ""):
        if kind.collection is None or not kind.wants(ctx.fetch, parent):
            continue
        refused = ctx.fetch.unreadable.get((parent.address, kind.name))
        if refused is not None:
            out.notes.append(
                f"{kind.collection}: could not be read ({refused}); left out, so left alone"
            )
            continue
        part = kind.export(ctx, parent, live.get((parent.address, kind.name), []))
        out.notes += part.notes
        if part.value is not None:
            out.add(kind.collection, part.value)
    return out


def _organization(ctx: ExportContext, kinds: list[Kind], live: Children) -> Block:
    """The organization's settings: each organization-level kind's key, in registry order;
    one CircleCI refused to show is left out with the reason (a key written is
    authoritative)."""
    out = Block()
    for kind in kinds:
        key = kind.collection or kind.name
        refused = ctx.fetch.unreadable.get((None, kind.name))
        if refused is not None:
            out.notes.append(f"{key}: could not be read ({refused}); left out, so left alone")
            continue
        part = kind.export(ctx, None, live.get((None, kind.name), []))
        out.notes += part.notes
        if part.value is not None:
            out.add(key, part.value, before=part.before)
    return out


def _organization_level(kind: Kind) -> bool:
    return kind.section is not None and kind.section.owner == "organization"


def build(
    fetch: FetchContext,
    live: State,
    kinds: Mapping[str, Kind],
    placeholders: bool = False,
    defaults: bool = False,
    files: dict[str, str] | None = None,
) -> str:
    """The YAML text of what `fetch_live` read in read_all mode; secrets adopted, or with
    `placeholders` as {env: ...} references; with `defaults`, what most projects share
    written once. Kinds add the files to write beside the manifest to `files`, if given."""
    ctx = ExportContext(
        fetch=fetch,
        live=live,
        placeholders=Placeholders(placeholders),
        hands_off=HandsOff(),
        files=files,
    )
    by_parent: Children = {}
    for r in live:
        by_parent.setdefault((r.parent, r.kind), []).append(r)
    children: dict[str, list[Kind]] = {}
    for kind in kinds.values():
        if kind.parent_kind is not None:
            children.setdefault(kind.parent_kind, []).append(kind)
    settings = [k for k in kinds.values() if k.parent_kind is None and _organization_level(k)]
    organization = _organization(ctx, settings, by_parent) if settings else None
    sections: list[tuple[str, Block, list[str]]] = []
    for kind in kinds.values():
        if kind.parent_kind is not None or kind.collection is None or kind in settings:
            continue
        top = kind.export(ctx, None, by_parent.get((None, kind.name), []))
        block = Block(notes=list(top.notes))
        for key, parent in top.members:
            block.add(key, _parent(ctx, parent, children.get(kind.name, []), by_parent))
        sections.append((kind.collection, block, top.before))
    doc = Block()
    doc.add("version", 1)
    doc.add("organization", fetch.org_slug)
    if ctx.hands_off.names:  # known once every section is written
        doc.add("policy", ctx.hands_off.policy())
    if organization is not None:
        doc.add(TOP["organization"], organization)
    projects = next((b for key, b, _ in sections if key == "projects"), None)
    given = [
        (k.section.key, k.section.merge == "whole")
        for k in kinds.values()
        if k.section is not None and k.section.owner == "project" and k.section.merge
    ]
    shared = factor(projects, fetch.org_slug, given) if defaults and projects else None
    if shared is not None:
        doc.add("defaults", shared)
    for key, block, before in sections:
        doc.add(key, block, before=before)
    return dump(doc, _header(fetch.org_slug, ctx.placeholders))
