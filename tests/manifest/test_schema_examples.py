"""The committed JSON Schema is the models' own, and the examples are valid and editor-ready."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from reconciler.manifest import json_schema, load_manifest

ROOT = Path(__file__).parents[2]
SCHEMA_FILE = ROOT / "schemas" / "manifest.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _yaml(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def test_the_committed_schema_is_not_stale() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == json.dumps(json_schema(), indent=2) + "\n", (
        "schemas/manifest.schema.json is stale: run `make schema` and commit it"
    )


def test_the_schema_is_valid_json_schema_with_descriptions() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    per_hour = schema["$defs"]["Timetable"]["properties"]["per_hour"]
    assert per_hour["description"] == "Runs per hour, 1 to 60."
    assert (per_hour["minimum"], per_hour["maximum"]) == (1, 60)
    assert "null" not in json.dumps(schema)  # null is never a value in a manifest


def test_there_is_a_minimal_and_a_complete_example() -> None:
    assert {p.name for p in EXAMPLES} >= {"minimal.yaml", "complete.yaml"}
    assert set(EXAMPLES) <= set(_manifests())


def _manifests() -> list[Path]:
    """Every manifest under examples/, in subdirectories too (seeds and CI configs are not)."""
    found = []
    for path in sorted((ROOT / "examples").rglob("*.y*ml")):
        doc = _yaml(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and {"version", "organization"} <= doc.keys():
            found.append(path)
    return found


@pytest.mark.parametrize("path", _manifests(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_example_manifest_carries_the_modeline_and_validates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    schema = Path(os.path.relpath(SCHEMA_FILE, path.parent)).as_posix()
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema}"
    load_manifest([path])
    jsonschema.Draft202012Validator(json_schema()).validate(_yaml(text))


@pytest.mark.parametrize(
    "snippet",
    [
        "projets: {}",
        "projects: {gh/acme/api: {env_vars: {BAD-NAME: x}}}",
        "projects: {gh/acme/api: {settings: {disable_ssh: 'yes'}}}",
        "projects: {gh/acme/api: {env_vars: {A: null}}}",
        "contexts: {c: {env_vars: {A: {env: A, file: b}}}}",
        "projects: {gh/acme/api: {webhooks: {w: {url: 'http://x', events: [job-completed]}}}}",
        "projects: {acme: {}}",
    ],
)
def test_editors_flag_what_the_loader_refuses(snippet: str, write) -> None:
    text = "version: 1\norganization: gh/acme\n" + snippet + "\n"
    errors = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(_yaml(text)))
    assert errors, snippet


def test_every_yaml_file_in_examples_carries_a_modeline() -> None:
    """Manifests point at our schema (checked above); the CI config at CircleCI's."""
    files = sorted((ROOT / "examples").rglob("*.y*ml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
