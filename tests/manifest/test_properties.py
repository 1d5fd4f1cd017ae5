"""Property tests: whatever the input, loading either succeeds or raises our ManifestError with
well-formed problems; never another exception."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.errors import ManifestError
from reconciler.manifest import Manifest, load_manifest

EXAMPLES = [
    p.read_text(encoding="utf-8")
    for p in sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))
]
WORDS = [
    "version", "organization", "policy", "projects", "contexts", "env_vars", "settings",
    "schedules", "webhooks", "timetable", "per_hour", "hours_of_day", "days_of_week",
    "days_of_month", "parameters", "branch", "restrictions", "expressions", "env", "file",
    "value", "protect", "gh/acme", "gh/acme/api", "github/acme/api", "1", "0", "-1", "61",
    "true", "on", "null", "~", "1.10", "MON", "https://x", "../x", "/etc/passwd", "NPM_TOKEN",
    "CIRCLECI_TOKEN", "<<", "deploy-key", "workflow-completed", "", "é", "[abc",
]  # fmt: skip
TOKENS = [
    ": ", "- ", "\n", "  ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!python/object ", "!!str ",
    "'", '"', "# ", "? ", "|\n", ">-\n", "---\n", "\t", "\x00", "%YAML 1.1\n",
]  # fmt: skip
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prop") / "manifest.yaml"


def _check(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        manifest = load_manifest([path])
    except ManifestError as exc:
        assert exc.problems, "a ManifestError lists its problems"
        for p in exc.problems:
            assert p.file == str(path) and p.line >= 1 and p.col >= 1
            assert p.message and "\n" not in p.message
        return
    assert isinstance(manifest, Manifest)
    for _path, var in manifest.secret_refs():
        assert var.origin is not None and var.source_dir is not None


scalars = st.one_of(
    st.sampled_from(WORDS),
    st.integers(-100, 100),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=25,
)


@SETTINGS
@given(doc=st.dictionaries(keys, documents, max_size=6))
def test_random_documents(target: Path, doc: dict) -> None:
    if doc and len(doc) % 2:
        doc = {"version": 1, "organization": "gh/acme", **doc}
    out = StringIO()
    YAML(typ="safe", pure=True).dump(doc, out)
    _check(target, out.getvalue())


@SETTINGS
@given(
    parts=st.lists(
        st.one_of(st.sampled_from(TOKENS), st.sampled_from(WORDS), st.text(max_size=5)), max_size=40
    )
)
def test_random_text(target: Path, parts: list[str]) -> None:
    _check(target, "".join(parts))


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(EXAMPLES)).split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "cut", "replace"])
        )
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "insert":
            col = draw(st.integers(0, len(lines[i])))
            piece = draw(st.sampled_from(TOKENS + WORDS))
            lines[i] = lines[i][:col] + piece + lines[i][col:]
        elif action == "indent":
            lines[i] = (
                " " * draw(st.integers(0, 3)) + lines[i].lstrip(" ")
                if draw(st.booleans())
                else lines[i][1:]
            )
        elif action == "cut":
            a = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:a] + lines[i][a + draw(st.integers(1, 6)) :]
        elif action == "replace" and ": " in lines[i]:
            key = lines[i].split(": ", 1)[0]
            lines[i] = key + ": " + str(draw(scalars))
    return "\n".join(lines)


@SETTINGS
@given(text=mutated_example())
def test_mutations_of_the_valid_examples(target: Path, text: str) -> None:
    _check(target, text)
