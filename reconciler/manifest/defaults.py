"""Defaults by pattern: project sections shared by every declared project a glob matches.

    defaults:
      "gh/acme/*":                      # every project of the organization
        settings: {build_fork_prs: false}
        env_vars: {NPM_TOKEN: {}}
      "gh/acme/svc-*":                  # written later, so it wins over the one above
        checkout_keys: [deploy-key]

Defaults apply in the order they are written (files in reading order, then top to bottom):
a later default wins over an earlier one, and the project's own keys win over every default,
as later rules win in a .gitignore or a stylesheet. Specificity was rejected: two globs such
as `*-api` and `svc-*` have no natural order, so the precedence would be a rule to learn
instead of something a reviewer sees. How a section merges is its kind's to declare
(`Section.merge`): settings key by key; env vars, schedules and webhooks name by name;
`checkout_keys` (one list) whole. `skip_defaults` on a project drops
what defaults would add: a whole section (`webhooks`) or one key of it (`env_vars.NPM_TOKEN`,
`settings.build_fork_prs`). Only what is left reaches the kinds, so nothing downstream knows
of defaults, except where a value came from (`Manifest.default_origin`).

Merged values keep the positions of the default they came from, so a `file:` reference is
read relative to the default's file and every message points at the default's line.
"""

from __future__ import annotations

import fnmatch
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from reconciler.errors import Problem
from reconciler.manifest import names
from reconciler.manifest.model import DEFAULTABLE, DefaultsBase, Manifest, Project
from reconciler.manifest.positions import Path_, PositionTable, quote
from reconciler.manifest.section import Section, Site

if TYPE_CHECKING:
    from reconciler.manifest.yamlread import RawDocument

SECTIONS: dict[str, Section[object]] = {s.key: s for s in DEFAULTABLE}


def _model(section: Section[object]) -> type[BaseModel]:
    """The object model of a "by_key" section (its annotation is `Model | None`)."""
    found = [
        a
        for a in typing.get_args(section.annotation)
        if isinstance(a, type) and issubclass(a, BaseModel)
    ]
    assert found, f"{section.key}: a by_key section is an object"
    return found[0]


def _fold(slug: str) -> str:
    return names.fold_project(names.normalise_project(slug) or slug)


def matches(glob: str, slug: str) -> bool:
    """Whether a defaults glob names a project; spelled like a slug (`github/` or `gh/`)."""
    head, sep, rest = glob.partition("/")
    short = {"github": "gh", "bitbucket": "bb"}.get(head, head)
    pattern = names.fold_project(short + sep + rest)
    folded = _fold(slug)
    return folded == pattern or fnmatch.fnmatchcase(folded, pattern)


Written = tuple[str, DefaultsBase, PositionTable]  # glob, its sections, its file's positions


def written(models: list[tuple[RawDocument, Manifest]]) -> list[Written]:
    """Every default, in the order it applies."""
    return [(g, d, doc.positions) for doc, m in models for g, d in m.defaults.items()]


def problems(docs: list[RawDocument]) -> list[Problem]:
    """Each at its file:line:col: a glob written twice or matching no declared project, what
    a project could not have either, and a skip naming no section. Read from the files as
    written, so a file with other problems is checked too."""
    out: list[Problem] = []
    projects = {s: body for doc in docs for s, body in _mapping(doc.data, "projects").items()}
    first: dict[str, RawDocument] = {}
    for doc in docs:
        for glob, body in _mapping(doc.data, "defaults").items():
            where = doc.positions.key(("defaults", glob))
            there = first.setdefault(glob, doc).positions.key(("defaults", glob))
            if there != where:
                out.append(
                    where.problem(
                        f"defaults {quote(glob)} are also written in {there.file}:{there.line}"
                    )
                )
            elif not any(matches(glob, s) for s in projects):
                out.append(
                    where.problem(
                        f"defaults {quote(glob)} match no project declared in the manifest"
                    )
                )
            if isinstance(body, dict):
                out += _refused(doc, glob, body, projects)
        for slug, body in _mapping(doc.data, "projects").items():
            for i, skip in enumerate(_skips(body)):
                why = _skip_problem(skip) if isinstance(skip, str) else None
                if why:
                    at = doc.positions.value(("projects", slug, "skip_defaults", i))
                    out.append(at.problem(why))
    return out


def _skips(project: Any) -> list[Any]:
    skips = project.get("skip_defaults") if isinstance(project, dict) else None
    return skips if isinstance(skips, list) else []


def _refused(
    doc: RawDocument, glob: str, body: dict[str, Any], projects: dict[str, Any]
) -> list[Problem]:
    """What the manifest refuses in a project, refused in a default too: what a section's
    own rules refuse, and what standalone (circleci/) projects lack, for a project the glob
    matches that does not skip it."""
    out = []
    for key, section in SECTIONS.items():
        if key not in body:
            continue
        if section.rules is not None:
            out += section.rules(Site(doc, ("defaults", glob, key), body[key], glob, None, None))
        if section.not_on_standalone is None:
            continue
        lacking = [
            slug
            for slug, project in projects.items()
            if slug.startswith("circleci/") and matches(glob, slug) and key not in _skips(project)
        ]
        if lacking:
            where = doc.positions.key(("defaults", glob, key))
            out.append(
                where.problem(
                    f"{key} is not available to standalone (circleci/) projects: add it "
                    f"to skip_defaults of {', '.join(sorted(lacking))}"
                )
            )
    return out


def _mapping(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _skip_problem(skip: str) -> str | None:
    name, _, key = skip.partition(".")
    section = SECTIONS.get(name)
    if section is None:
        return f"skip_defaults: {quote(skip)} names no section ({', '.join(SECTIONS)})"
    if key and section.merge == "whole":
        return f"skip_defaults: {name} is one list; skip it whole"
    if key and section.merge == "by_key" and key not in _model(section).model_fields:
        return f"skip_defaults: {quote(key)} is not a key of {name}"
    return None


def _members(section: Section[object], value: Any) -> dict[str, Any]:
    if section.merge == "by_key":
        return {k: getattr(value, k) for k in sorted(value.model_fields_set)}
    return dict(value)


def apply(manifest: Manifest, models: list[tuple[RawDocument, Manifest]]) -> None:
    """Merge every matching default under each project of `manifest`, copying the default's
    positions to the paths it fills and noting where each came from."""
    defaults = written(models)
    for slug, project in list(manifest.projects.items()):
        found = [d for d in defaults if matches(d[0], slug)]
        if found:
            manifest.projects[slug] = _merged(manifest, slug, project, found)


def _merged(manifest: Manifest, slug: str, project: Project, found: list[Written]) -> Project:
    skips = set(project.skip_defaults or [])
    update: dict[str, Any] = {}
    for section, how in SECTIONS.items():
        given = [d for d in found if getattr(d[1], section) is not None]
        own = getattr(project, section)
        base: Path_ = ("projects", slug, section)
        if not given or section in skips:
            continue
        if how.merge == "whole":  # one list: the last default's, unless the project's
            if own is None:
                _take(manifest, given[-1], base, (section,), members=True)
                update[section] = getattr(given[-1][1], section)
            continue
        if own is None:  # the section comes from a default, which makes it authoritative
            _take(manifest, given[0], base, (section,))
        layer: dict[str, tuple[Any, Written]] = {}  # member -> value, the default giving it
        for d in given:
            for key, value in _members(how, getattr(d[1], section)).items():
                if f"{section}.{key}" not in skips:
                    layer[key] = (value, d)
        ours = _members(how, own) if own is not None else {}
        for key, (_, d) in layer.items():
            if key not in ours:
                _take(manifest, d, (*base, key), (section, key), members=True)
        merged = {k: v for k, (v, _) in layer.items()} | ours
        update[section] = _model(how).model_validate(merged) if how.merge == "by_key" else merged
    return project.model_copy(update=update) if update else project


def _take(
    manifest: Manifest, default: Written, to: Path_, rel: Path_, members: bool = False
) -> None:
    """Record that `to` came from `default` and copy its position; with `members`, the
    positions of what it holds too (for messages, and `file:` paths relative to the
    default's file)."""
    glob, _, pos = default
    source = ("defaults", glob, *rel)
    where = pos.key(source)
    manifest.note_default(to, f"defaults {quote(glob)} ({where.file}:{where.line})")
    table = manifest.positions.entries
    if not members:
        if source in pos.entries:
            table.setdefault(to, pos.entries[source])
        return
    n = len(source)
    for path, entry in _under(pos, source):
        table[(*to, *path[n:])] = entry


def _under(pos: PositionTable, prefix: Path_) -> Iterator[tuple[Path_, Any]]:
    n = len(prefix)
    for path, entry in pos.entries.items():
        if path[:n] == prefix:
            yield path, entry
