"""Rules across fields of one file, checked on the raw data so they are reported even when
other parts of the file are invalid: slugs belong to the organization, no item listed twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from reconciler.errors import Problem
from reconciler.manifest import names
from reconciler.manifest.positions import Path_, quote
from reconciler.manifest.yamlread import INVALID, RawDocument

# Set-like lists, as paths with "*" for any key.
_SET_LISTS: list[Path_] = [
    ("projects", "*", "checkout_keys"),
    ("projects", "*", "settings", "pr_only_branch_overrides"),
    ("projects", "*", "schedules", "*", "timetable", "hours_of_day"),
    ("projects", "*", "schedules", "*", "timetable", "days_of_week"),
    ("projects", "*", "schedules", "*", "timetable", "days_of_month"),
    ("projects", "*", "schedules", "*", "timetable", "months"),
    ("projects", "*", "webhooks", "*", "events"),
    ("contexts", "*", "restrictions", "projects"),
    ("contexts", "*", "restrictions", "expressions"),
    ("contexts", "*", "restrictions", "groups"),
    ("policy", "manage_contexts"),
    ("policy", "ignore", "contexts"),
    ("policy", "ignore", "env_vars"),
    ("policy", "ignore", "webhooks"),
    ("policy", "ignore", "schedules"),
    ("projects", "*", "skip_defaults"),
]
# A default is project-shaped: the same lists, under `defaults`.
_SET_LISTS += [
    ("defaults", *p[1:]) for p in _SET_LISTS if p[0] == "projects" and p[-1] != "skip_defaults"
]


# What CircleCI does not offer standalone projects (spec: "Not available to projects that use
# GitLab or GitHub App"), with what to do instead.
_STANDALONE_ONLY = (
    ("schedules", "CircleCI has no scheduled pipelines there; use schedule triggers"),
    ("checkout_keys", "CircleCI makes no checkout keys there; the app's integration checks out"),
)


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


def _same_item(path: Path_) -> Callable[[Any], Any]:
    if path[-1] == "projects" and path[0] == "contexts":  # spellings of one project
        return lambda v: (
            names.fold_project(names.normalise_project(v) or v) if isinstance(v, str) else v
        )
    return lambda v: v


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
            first = folded.setdefault(names.fold_project(norm), slug)
            if first != slug:
                line = pos.key(("projects", first)).line
                problems.append(
                    where.problem(
                        f"'{slug}' and '{first}' (line {line}) name the same project: "
                        "GitHub and Bitbucket names ignore case"
                    )
                )

    for path, items in _walk(data, ("contexts", "*", "restrictions", "projects")):
        if not isinstance(items, list) or not org:
            continue
        for i, item in enumerate(items):
            norm = names.normalise_project(item) if isinstance(item, str) else None
            if norm and not names.same_org(norm, org):
                problems.append(
                    pos.value(path + (i,)).problem(
                        f"restriction project '{item}' is not in organization '{org_raw}'"
                    )
                )

    for pattern in _SET_LISTS:
        for path, items in _walk(data, pattern):
            if isinstance(items, list):
                problems += _duplicates(doc, path, items, _same_item(path))
    return problems


def _unavailable(doc: RawDocument, slug: str, norm: str, body: Any) -> list[Problem]:
    """What CircleCI cannot do for this project, refused before any call is made."""
    if not isinstance(body, dict):
        return []
    pos, problems = doc.positions, []
    settings = body.get("settings")
    if isinstance(settings, dict) and "oss" in settings:
        problems.append(
            pos.key(("projects", slug, "settings", "oss")).problem(
                "'oss' is read-only: CircleCI rejects a settings change that holds it "
                "(400 \"Unexpected field 'advanced.oss'\"); remove it and change it in "
                "CircleCI's project settings"
            )
        )
    if norm.startswith("circleci/"):
        for key, why in _STANDALONE_ONLY:
            if key in body:
                problems.append(
                    pos.key(("projects", slug, key)).problem(
                        f"'{key}' is not available to standalone (circleci/: GitHub App or "
                        f"GitLab) projects: {why}"
                    )
                )
    return problems


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
