"""The exported manifest: header with every placeholder to set, projects, contexts, and the
policy that keeps hands off what could not be written back."""

from __future__ import annotations

from reconciler.exporting.handsoff import HandsOff
from reconciler.exporting.live import LiveContext, LiveOrg, Unreadable
from reconciler.exporting.placeholders import Placeholders
from reconciler.exporting.projects import project
from reconciler.exporting.yamltext import Block, Flow, dump
from reconciler.manifest.names import context_name_problem, env_name_problem

MODELINE = "yaml-language-server: $schema=../schemas/manifest.schema.json"


def _restrictions(c: LiveContext, org: LiveOrg) -> tuple[Block | None, list[str]]:
    """The restrictions block, or None (hands-off) when a project id has no known slug:
    leaving one restriction out of the list would have apply delete it."""
    ids = {p.id: p.slug for p in org.projects}
    ids.update({pid: s for pid, s in org.other_projects.items() if s})
    groups = org.groups if isinstance(org.groups, dict) else {}
    lists: dict[str, list[str]] = {"expressions": [], "groups": [], "projects": []}
    unmapped, notes = [], []
    for r in c.reads["restrictions"]:
        rtype = r["restriction_type"]
        value = str(r.get("restriction_value") or "")
        if rtype == "project":
            if value in ids:
                lists["projects"].append(ids[value])
            else:
                unmapped.append(f"project id {value} (name {r.get('name') or 'unknown'!s})")
        elif rtype == "group":
            lists["groups"].append(groups.get(value, value))
        elif rtype == "expression":
            lists["expressions"].append(value)
        else:  # a kind this tool does not know: a manifest cannot list it
            unmapped.append(f"{rtype} restriction {value}")
    if isinstance(org.groups, Unreadable) and lists["groups"]:
        notes.append(f"groups are shown by id: group names could not be read ({org.groups.reason})")
    if unmapped:
        return None, [
            "restrictions: left out, so left alone: a manifest cannot name these:",
            *(f"  - {u}" for u in unmapped),
            *(f"  (also restricted to {k[:-1]} {v})" for k, vs in lists.items() for v in vs),
        ]
    out = Block()
    for key, values in lists.items():
        if values:
            out.add(key, sorted(set(values)))
    return out, notes


def _context(c: LiveContext, org: LiveOrg, ph: Placeholders, off: HandsOff) -> Block:
    out, notes = Block(), []
    envs = c.reads.get("env_vars")
    if isinstance(envs, Unreadable):
        notes.append(f"env_vars: could not be read ({envs.reason}); left out, so left alone")
    elif envs is not None:
        block = Block()
        for item in sorted(envs, key=lambda i: str(i["name"])):
            name = str(item["name"])
            if env_name_problem(name):
                off.add("env_vars", name, f"env var {name!r} of context {c.name!r}: invalid name")
                continue
            block.add(name, Flow({"env": ph.context_env_var(c.name, name)}))
        out.add("env_vars", block)
    reads = c.reads.get("restrictions")
    if isinstance(reads, Unreadable):
        notes.append(f"restrictions: could not be read ({reads.reason}); left out, so left alone")
    elif reads is not None:
        block_or_none, why = _restrictions(c, org)
        notes += why
        if block_or_none is not None:
            out.add("restrictions", block_or_none)
    out.notes = notes
    return out


def _header(org: LiveOrg, listing: list[tuple[str, str]]) -> list[str]:
    head = [
        MODELINE,
        "",
        f"The live CircleCI settings of {org.slug}, written by `circleci-reconciler export`.",
        "The schema for the line above: circleci-reconciler schema --output "
        "schemas/manifest.schema.json",
        "",
    ]
    if not listing:
        return [*head, "No secret values: nothing to set before plan or apply.", ""]
    width = max(len(name) for name, _ in listing)
    return [
        *head,
        "CircleCI never returns secret values, so each one below is read from an environment",
        "variable. Set every one of these to the current value before plan or apply:",
        *(f"  {name.ljust(width)}  {what}" for name, what in listing),
        "",
    ]


def build(org: LiveOrg) -> str:
    ph, off = Placeholders(), HandsOff()
    projects = Block()
    for p in sorted(org.projects, key=lambda p: p.slug):
        projects.add(p.slug, project(p, org.user_id, ph, off))
    contexts = Block()
    for c in sorted(org.contexts, key=lambda c: c.name):
        problem = context_name_problem(c.name)
        if problem:  # not managed unless listed, so leaving it out touches nothing
            contexts.notes.append(f"context {c.name!r} left out: {problem}")
            continue
        contexts.add(c.name, _context(c, org, ph, off))
    doc = Block()
    doc.add("version", 1)
    doc.add("organization", org.slug)
    if off.names:
        doc.add("policy", off.policy())
    doc.add("projects", projects)
    doc.add("contexts", contexts, before=[] if org.contexts else ["The organization has none."])
    return dump(doc, _header(org, ph.resolve()))
