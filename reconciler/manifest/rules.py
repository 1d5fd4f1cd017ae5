"""Rules across fields of one file, checked on the raw data so they are reported even when
other parts of the file are invalid: slugs belong to the organization, no item listed twice.
The kinds' sections bring their own (reconciler.manifest.section)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from reconciler.errors import Problem
from reconciler.manifest import names
from reconciler.manifest.model import IGNORES, SECTIONS
from reconciler.manifest.positions import Path_, quote
from reconciler.manifest.section import TOP, Site
from reconciler.manifest.yamlread import INVALID, RawDocument

# Set-like lists outside the sections, as paths with "*" for any key (the sections name
# their own).
_SET_LISTS: list[Path_] = [
    ("policy", "manage_contexts"),
    *(("policy", "ignore", i.key) for i in IGNORES),
    ("projects", "*", "skip_defaults"),
]


def _walk(data: Any, pattern: Path_, prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    if not pattern:
        yield prefix, data
        return
    if not isinstance(data, dict):
        return
    head, rest = pattern[0], pattern[1:]
    keys = list(data) if head == "*" else [head] if head in data else []
    for key in keys:
        yield from _walk(data[key], rest, prefix + (key,))


def check_document(doc: RawDocument) -> list[Problem]:
    problems: list[Problem] = []
    pos = doc.positions
    data = doc.data
    org_raw = data.get("organization")
    org = names.normalise_org(org_raw) if isinstance(org_raw, str) else None

    projects = data.get("projects")
    if isinstance(projects, dict):
        folded: dict[str, str] = {}
        for slug in projects:
            norm = names.normalise_project(slug)
            if norm is None:
                continue  # reported by the model
            where = pos.key(("projects", slug))
            if org and not names.same_org(norm, org):
                problems.append(
                    where.problem(f"project '{slug}' is not in organization '{org_raw}'")
                )
            body = projects[slug]
            if (
                norm.startswith("circleci/")
                and isinstance(body, dict)
                and body.get("create") is True
            ):
                # A standalone project's key is chosen by CircleCI, so no slug can be promised.
                problems.append(
                    pos.key(("projects", slug, "create")).problem(
                        "a standalone (circleci/) project cannot be created from its slug: "
                        "CircleCI assigns the key; create it there and write the slug it shows"
                    )
                )
            problems += _unavailable(doc, slug, norm, body)
            problems += _section_rules(doc, "project", slug, norm, body, org, org_raw)
            first = folded.setdefault(names.fold_project(norm), slug)
            if first != slug:
                line = pos.key(("projects", first)).line
                problems.append(
                    where.problem(
                        f"'{slug}' and '{first}' (line {line}) name the same project: "
                        "GitHub and Bitbucket names ignore case"
                    )
                )

    contexts = data.get("contexts")
    if isinstance(contexts, dict):
        for name, body in contexts.items():
            problems += _section_rules(doc, "context", name, str(name), body, org, org_raw)

    settings = data.get(TOP["organization"])
    problems += _section_rules(
        doc, "organization", None, org or str(org_raw), settings, org, org_raw
    )

    for pattern in _SET_LISTS:
        for path, items in _walk(data, pattern):
            if isinstance(items, list):
                problems += _duplicates(doc, path, items, lambda v: v)
    for section in SECTIONS:
        for set_list in section.set_lists:
            # A default is project-shaped: its sections' lists are checked the same way.
            tops: list[Path_] = [(section.top, "*")]
            if section.owner == "organization":
                tops = [(section.top,)]  # one mapping, not one entry per name
            elif section.owner == "project":
                tops.append(("defaults", "*"))
            for top in tops:
                pattern = (*top, section.key, *set_list.path)
                for path, items in _walk(data, pattern):
                    if isinstance(items, list):
                        same = set_list.same or (lambda v: v)
                        problems += _duplicates(doc, path, items, same)
    return problems


def _section_rules(
    doc: RawDocument,
    owner: str,
    key: str | None,
    parent: str,
    body: Any,
    org: str | None,
    org_raw: Any,
) -> list[Problem]:
    """The sections' own rules, for each section written on this project or context (`key`
    its name), or in the organization's settings (`key` None)."""
    if not isinstance(body, dict):
        return []
    problems: list[Problem] = []
    for section in SECTIONS:
        if section.owner == owner and section.rules is not None and section.key in body:
            where: Path_ = (TOP[owner],) if key is None else (TOP[owner], key)
            path = (*where, section.key)
            problems += section.rules(Site(doc, path, body[section.key], parent, org, org_raw))
    return problems


def _unavailable(doc: RawDocument, slug: str, norm: str, body: Any) -> list[Problem]:
    """What CircleCI does not offer standalone projects (spec: "Not available to projects that
    use GitLab or GitHub App"), refused before any call is made, with what to do instead."""
    if not isinstance(body, dict) or not norm.startswith("circleci/"):
        return []
    return [
        doc.positions.key(("projects", slug, section.key)).problem(
            f"'{section.key}' is not available to standalone (circleci/: GitHub App or "
            f"GitLab) projects: {section.not_on_standalone}"
        )
        for section in SECTIONS
        if section.owner == "project"
        and section.not_on_standalone is not None
        and section.key in body
    ]


def _duplicates(
    doc: RawDocument, path: Path_, items: list[Any], same: Callable[[Any], Any]
) -> list[Problem]:
    problems = []
    seen: dict[Any, int] = {}
    for i, item in enumerate(items):
        if item is INVALID:
            continue
        try:
            key = (type(item), same(item))
            first = seen.setdefault(key, i)
        except TypeError:  # unhashable: reported as the wrong type by the model
            continue
        if first != i:
            line = doc.positions.value(path + (first,)).line
            problems.append(
                doc.positions.value(path + (i,)).problem(
                    f"{quote(item)} is listed twice in '{path[-1]}' (first at line {line})"
                )
            )
    return problems
