"""load_manifest: files and directories -> one validated Manifest, or every problem at once.

A directory means the `*.yaml` and `*.yml` files directly inside it, sorted by name; its
subdirectories and hidden files are not read (so pointing at a repository root does not pull in
CI configs). Each file is a complete document with `version` and `organization`; all must name
the same organization, `policy` and `organization_settings` may each be written in one file
only, and a project or context may be declared in one file only. `defaults` are merged into
the projects last (manifest/defaults.py), so what follows sees only projects.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from reconciler.errors import ManifestError, Problem
from reconciler.manifest import defaults, names
from reconciler.manifest.model import Manifest, OrganizationSettings, Policy
from reconciler.manifest.positions import Path_, PositionTable, quote
from reconciler.manifest.problems import translate
from reconciler.manifest.rules import check_document
from reconciler.manifest.yamlread import RawDocument, read_document

MAX_CONTEXTS = 500  # CircleCI's limit per organization
MAX_SHOWN = 200  # problems shown at once; the rest are counted
ONE_FILE = ("policy", "organization_settings")  # top-level keys written in one file only


def _key_hook(path: Path_, key: str) -> str:
    """Project slugs are keyed in CircleCI's short form (`github/a/b` -> `gh/a/b`), the form
    its API answers with, so two spellings of one project collide as duplicates."""
    if path == ("projects",):
        return names.normalise_project(key) or key
    return key


def discover(paths: Sequence[Path | str]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and p.is_file()
            )
            if not found:
                problems.append(
                    Problem(str(path), 1, 1, "no *.yaml or *.yml file in this directory")
                )
            files += [(p, str(p)) for p in found]
        elif path.exists():
            files.append((path, str(path)))
        else:
            problems.append(Problem(str(path), 1, 1, "no such file or directory"))
    if not paths:
        problems.append(Problem("<manifest>", 1, 1, "no manifest file given"))
    unique: dict[Path, tuple[Path, str]] = {}
    for path, shown in files:
        unique.setdefault(path.resolve(), (path, shown))
    return list(unique.values()), problems


def load_manifest(paths: Sequence[Path | str]) -> Manifest:
    """Read, check and merge manifest files; raise ManifestError listing every problem."""
    files, problems = discover(paths)
    docs = [read_document(path, shown, _key_hook) for path, shown in files]
    models: list[tuple[RawDocument, Manifest]] = []
    omitted = 0
    for doc in docs:
        problems += doc.problems
        if not doc.complete:
            continue
        problems += check_document(doc)
        try:
            models.append((doc, Manifest.model_validate(doc.data)))
        except ValidationError as exc:
            found, more = translate(exc, doc.positions, Manifest)
            problems += found
            omitted += more
    complete = [d for d in docs if d.complete]
    problems += _across_files(complete) + defaults.problems(complete)
    if problems:
        total = len(set(problems)) + omitted
        raise ManifestError(_cap(problems, omitted), total=total)
    return _merge(models)


def _cap(problems: list[Problem], omitted: int) -> list[Problem]:
    """Every problem, up to MAX_SHOWN: past that a file is noise, and the count says so."""
    problems = sorted(set(problems))
    if len(problems) <= MAX_SHOWN and not omitted:
        return problems
    rest = problems[min(MAX_SHOWN, len(problems) - 1)]
    more = max(0, len(problems) - MAX_SHOWN) + omitted
    tail = Problem(rest.file, rest.line, rest.col, f"... and {more} more problems from here on")
    return problems[:MAX_SHOWN] + [tail]


def _across_files(docs: list[RawDocument]) -> list[Problem]:
    problems: list[Problem] = []
    org_first: tuple[str, RawDocument] | None = None  # normalised, and the file naming it
    once: dict[str, RawDocument] = {}  # key written in one file only -> that file
    declared: dict[tuple[str, str], tuple[RawDocument, str]] = {}
    contexts = 0
    for doc in docs:
        pos, data = doc.positions, doc.data
        raw = data.get("organization")
        org = names.normalise_org(raw) if isinstance(raw, str) else None
        if org and org_first is None:
            org_first = (org, doc)
        elif org and org_first and names.fold_project(org) != names.fold_project(org_first[0]):
            there = org_first[1].positions.value(("organization",))
            problems.append(
                pos.value(("organization",)).problem(
                    f"organization '{raw}' differs from '{org_first[1].data['organization']}' in "
                    f"{there.file}:{there.line}; all files must name the same organization"
                )
            )
        for key in ONE_FILE:
            if key not in data:
                continue
            first_doc = once.setdefault(key, doc)
            if first_doc is not doc:
                there = first_doc.positions.key((key,))
                problems.append(
                    pos.key((key,)).problem(
                        f"{key} is already written in {there.file}:{there.line}; "
                        "write it in one file only"
                    )
                )
        for section in ("projects", "contexts"):
            entries = data.get(section)
            if not isinstance(entries, dict):
                continue
            for name in entries:
                folded = names.fold_project(name) if section == "projects" else name
                first = declared.setdefault((section, folded), (doc, name))
                if first[0] is not doc:
                    there = first[0].positions.key((section, first[1]))
                    what = "project" if section == "projects" else "context"
                    problems.append(
                        pos.key((section, name)).problem(
                            f"{what} {quote(name)} is also declared in {there.file}:{there.line}"
                        )
                    )
                elif section == "contexts":
                    contexts += 1
                    if contexts == MAX_CONTEXTS + 1:
                        problems.append(
                            pos.key((section, name)).problem(
                                f"more than {MAX_CONTEXTS} contexts; CircleCI allows "
                                f"{MAX_CONTEXTS} per organization"
                            )
                        )
    return problems


def _merge(models: list[tuple[RawDocument, Manifest]]) -> Manifest:
    positions = PositionTable()
    projects, contexts = {}, {}
    policy = Policy()
    settings = OrganizationSettings()
    for doc, model in models:
        positions.update(doc.positions)
        projects.update(model.projects)
        contexts.update(model.contexts)
        if "policy" in doc.data:
            policy = model.policy
        if "organization_settings" in doc.data:
            settings = model.organization_settings
    first = models[0][1]
    manifest = Manifest.model_construct(
        version=1,
        organization=first.organization,
        policy=policy,
        organization_settings=settings,
        projects=projects,
        contexts=contexts,
    )
    manifest._positions = positions
    manifest._files = [doc.file for doc, _ in models]
    manifest._directories = {doc.file: doc.directory for doc, _ in models}
    defaults.apply(manifest, models)  # before binding: a value keeps its default's file
    for path, var in manifest.secret_refs():  # where each value was written, for resolution
        sub = (*path, var.kind if var.kind != "literal" else "value")
        where = positions.value(sub if positions.has(sub) else path)
        var.bind(manifest._directories.get(where.file) or Path.cwd(), where)
    return manifest
