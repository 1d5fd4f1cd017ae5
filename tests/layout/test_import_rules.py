"""The house rules, checked on the source: who may import whom, and how big a module may grow.

Data flows one way (manifest -> kinds -> diff -> plan -> apply), and a kind's knowledge stays
in its module: these rules are what keeps it so as the code grows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"


def modules(under: str = "") -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def name_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "reconciler" or m.startswith("reconciler.")}


def within(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


KINDS = "reconciler.resources"

# (what, the files, the modules they must not import, modules exempt from that)
RULES = [
    ("the core imports no kind", "core", (KINDS, "reconciler.engine", "reconciler.apply"), ()),
    ("diff imports no kind", "diff.py", (KINDS,), ()),
    ("plan imports no kind", "plan.py", (KINDS,), ()),
    ("renderers import no kind", "render", (KINDS, "reconciler.engine"), ()),
    (
        "the client imports no manifest, kind or engine module",
        "client",
        (KINDS, "reconciler.manifest", "reconciler.engine", "reconciler.core"),
        (),
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[r[0] for r in RULES])
def test_import_rule(rule: tuple[str, str, tuple[str, ...], tuple[str, ...]]) -> None:
    _, where, forbidden, exempt = rule
    target = PACKAGE / where
    files = [target] if target.is_file() else modules(where)
    assert files, f"nothing at {target}"
    broken = [
        f"{name_of(f)} imports {m}"
        for f in files
        for m in sorted(imports(f))
        if within(m, *forbidden) and not within(m, *exempt)
    ]
    assert not broken, "\n".join(broken)


def test_engine_and_apply_know_the_kinds_through_the_registry_only() -> None:
    """What a kind learns (ids, the token's user, groups) stays in the kind: orchestration
    holds the registry, never a kind module."""
    broken = [
        f"{name_of(f)} imports {m}"
        for f in (
            *(PACKAGE / m for m in ("engine.py", "apply.py", "applying.py")),
            *modules("core"),
        )
        for m in sorted(imports(f))
        if within(m, KINDS) and m not in (KINDS, f"{KINDS}.REGISTRY")
    ]
    assert not broken, "\n".join(broken)


def test_the_emulator_imports_nothing_from_the_rest_of_the_package() -> None:
    broken = [
        f"{name_of(f)} imports {m}"
        for f in modules("emulator")
        for m in sorted(imports(f))
        if not within(m, "reconciler.emulator")
    ]
    assert not broken, "\n".join(broken)


def test_no_module_is_over_400_lines() -> None:
    long = [f"{name_of(f)}: {n}" for f in modules() if (n := len(f.read_text().splitlines())) > 400]
    assert not long, "\n".join(long)


def test_each_command_module_is_under_150_lines() -> None:
    long = [
        f"{name_of(f)}: {n}"
        for f in modules("cli")
        if (n := len(f.read_text().splitlines())) >= 150
    ]
    assert not long, "\n".join(long)


# The flow manifest -> kinds -> diff -> plan -> apply, where an untyped seam hides breakage.
TYPED_FLOW = ("core", "resources", "engine.py", "diff.py", "plan.py", "apply.py", "applying.py")
MAX_ANY = 10  # each one justified in a comment on its line


def test_the_typed_flow_has_few_any_annotations() -> None:
    files = [
        f
        for where in TYPED_FLOW
        for f in ([PACKAGE / where] if where.endswith(".py") else modules(where))
    ]
    found = [
        f"{name_of(f)}:{n}: {line.strip()}"
        for f in files
        for n, line in enumerate(f.read_text().splitlines(), 1)
        if ": Any" in line
    ]
    assert len(found) <= MAX_ANY, "\n".join(found)
    unexplained = [line for line in found if "#" not in line.split(": Any", 1)[1]]
    assert not unexplained, "an Any on the flow needs a comment saying why:\n" + "\n".join(
        unexplained
    )
