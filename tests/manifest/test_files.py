"""Several files and directories merged into one manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.manifest import load_manifest
from tests.manifest.support import HEAD, problems_of, where


def test_a_directory_reads_its_yaml_files_sorted_but_not_subdirectories_or_hidden_files(
    write, tmp_path: Path
) -> None:
    write(HEAD + "projects: {gh/acme/b: {}}\n", "m/20-b.yml")
    write(HEAD + "projects: {gh/acme/a: {}}\n", "m/10-a.yaml")
    write("not: a manifest\n", "m/.hidden.yaml")
    write("not: a manifest\n", "m/nested/x.yaml")
    write("not yaml at all: [\n", "m/notes.txt")
    m = load_manifest([tmp_path / "m"])
    assert [Path(f).name for f in m.files] == ["10-a.yaml", "20-b.yml"]
    assert list(m.projects) == ["gh/acme/a", "gh/acme/b"]


def test_files_and_directories_mix_and_a_file_named_twice_is_read_once(
    write, tmp_path: Path
) -> None:
    a = write(HEAD + "contexts: {one: {}}\n", "m/a.yaml")
    extra = write(HEAD + "contexts: {two: {}}\n", "extra.yaml")
    m = load_manifest([tmp_path / "m", a, extra])
    assert sorted(m.contexts) == ["one", "two"]
    assert len(m.files) == 2


def test_missing_paths_and_empty_directories_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    problems = problems_of(tmp_path / "nope.yaml", tmp_path / "empty")
    assert sorted(p.message for p in problems) == [
        "no *.yaml or *.yml file in this directory",
        "no such file or directory",
    ]


def test_a_project_declared_in_two_files_names_both_places(write) -> None:
    a = write(HEAD + "projects:\n  gh/acme/api: {}\n", "a.yaml")
    b = write(HEAD + "projects:\n  github/acme/api: {create: true}\n", "b.yaml")
    problems = problems_of(a, b)
    assert [str(p) for p in problems] == [
        f"{b}:4:3: project 'gh/acme/api' is also declared in {a}:4"
    ]


def test_a_context_declared_in_two_files_names_both_places(write) -> None:
    a = write(HEAD + "contexts:\n  deploy: {}\n", "a.yaml")
    b = write(HEAD + "\n\ncontexts:\n  deploy: {}\n", "b.yaml")
    problems = problems_of(a, b)
    assert [str(p) for p in problems] == [f"{b}:6:3: context 'deploy' is also declared in {a}:4"]


def test_env_vars_of_one_project_cannot_be_split_across_files(write) -> None:
    a = write(HEAD + "projects:\n  gh/acme/api:\n    env_vars: {A: x}\n", "a.yaml")
    b = write(HEAD + "projects:\n  gh/acme/api:\n    env_vars: {B: z}\n", "b.yaml")
    assert where(problems_of(a, b)) == [(4, 3)]


def test_files_must_name_the_same_organization(write) -> None:
    a = write(HEAD, "a.yaml")
    b = write("version: 1\norganization: github/acme\n", "b.yaml")  # the same, spelt long
    c = write("version: 1\norganization: gh/other\n", "c.yaml")
    assert load_manifest([a, b]).organization == "gh/acme"
    problems = problems_of(a, b, c)
    assert [str(p) for p in problems] == [
        f"{c}:2:15: organization 'gh/other' differs from 'gh/acme' in {a}:2; "
        "all files must name the same organization"
    ]


def test_policy_may_be_written_in_one_file_only(write) -> None:
    a = write(HEAD + "policy: {max_deletes: 3}\n", "a.yaml")
    b = write(HEAD, "b.yaml")
    assert load_manifest([a, b]).policy.max_deletes == 3
    assert load_manifest([b, a]).policy.max_deletes == 3
    c = write(HEAD + "policy: {}\n", "c.yaml")
    problems = problems_of(a, c)
    assert [str(p) for p in problems] == [
        f"{c}:3:1: policy is already written in {a}:3; write it in one file only"
    ]


def test_problems_of_every_file_are_reported_together(write) -> None:
    a = write(HEAD + "projets: {}\n", "a.yaml")
    b = write("version: 1\n", "b.yaml")
    c = write("version: 1\norganization: [\n", "c.yaml")
    problems = problems_of(a, b, c)
    assert [(Path(p.file).name, p.line) for p in problems] == [
        ("a.yaml", 3),
        ("b.yaml", 1),
        ("c.yaml", 3),
    ]


def test_positions_and_directories_follow_each_object_to_its_file(write, tmp_path: Path) -> None:
    a = write(HEAD + "projects:\n  gh/acme/api:\n    env_vars: {A: {file: a.txt}}\n", "a.yaml")
    b = write(HEAD + "\ncontexts:\n  deploy:\n    env_vars: {B: {file: b.txt}}\n", "team/b.yaml")
    m = load_manifest([a, b])
    assert str(m.position("contexts", "deploy")) == f"{b}:5:3"
    assert m.directory_of("contexts", "deploy") == (tmp_path / "team").resolve()
    var = (m.contexts["deploy"].env_vars or {})["B"]
    assert var.source_dir == (tmp_path / "team").resolve()
    assert str(var.origin) == f"{b}:6:26"


def test_more_than_500_contexts_across_files_is_an_error(write) -> None:
    a = write(HEAD + "contexts:\n" + "".join(f"  c{i}: {{}}\n" for i in range(300)), "a.yaml")
    b = write(HEAD + "contexts:\n" + "".join(f"  d{i}: {{}}\n" for i in range(201)), "b.yaml")
    problems = problems_of(a, b)
    assert [str(p) for p in problems] == [
        f"{b}:204:3: more than 500 contexts; CircleCI allows 500 per organization"
    ]


def test_hundreds_of_problems_are_capped_with_a_count(write) -> None:
    path = write(HEAD + "".join(f"unknown_{i}: 1\n" for i in range(700)))
    problems = problems_of(path)
    assert len(problems) == 201
    assert problems[-1].message == "... and 500 more problems from here on"
    with pytest.raises(ManifestError) as err:
        load_manifest([path])
    assert err.value.total == 700  # what the CLI counts, not the 201 lines it lists
