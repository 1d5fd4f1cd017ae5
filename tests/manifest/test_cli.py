"""`circleci-reconciler validate` and `schema`, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import main
from reconciler.manifest import json_schema
from tests.manifest.support import HEAD

ROOT = Path(__file__).parents[2]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_prints_a_one_line_summary_and_exits_0() -> None:
    code, out, err = run("validate", str(ROOT / "examples" / "complete.yaml"))
    assert (code, err) == (0, "")
    assert out == (
        "Valid: 2 project(s), 2 context(s) and organization settings (oidc_claims, "
        "url_orb_allow_list, config_policies) for gh/acme.\n"
    )


def test_validate_prints_each_problem_as_file_line_col_then_a_count(write) -> None:
    path = write(HEAD + "projets: {}\npolicy: {max_deletes: -1}\n")
    code, out, err = run("validate", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{path}:3:1: unknown key 'projets' (did you mean 'projects'?)",
        f"{path}:4:23: 'max_deletes' must be 0 or more, not -1",
        "2 problems found.",
    ]


def test_validate_takes_several_paths(write, tmp_path: Path) -> None:
    write(HEAD + "projects: {gh/acme/a: {}}\n", "m/a.yaml")
    b = write(HEAD + "contexts: {c: {}}\n", "b.yaml")
    code, out, _ = run("validate", str(tmp_path / "m"), str(b))
    assert (code, out) == (0, "Valid: 1 project(s), 1 context(s) for gh/acme.\n")


def test_validate_of_a_missing_path_is_a_usage_error_exit_1(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nope.yaml"))
    assert code == 1 and "does not exist" in err


def test_schema_prints_the_json_schema_and_writes_it_with_output(tmp_path: Path) -> None:
    code, out, _ = run("schema")
    assert code == 0 and json.loads(out) == json_schema()
    target = tmp_path / "schema.json"
    code, _, err = run("schema", "--output", str(target))
    assert code == 0 and f"Wrote {target}" in err
    assert target.read_text() == (ROOT / "schemas" / "manifest.schema.json").read_text()


def test_a_hostile_file_gives_exit_1_and_no_traceback_in_a_real_process(write) -> None:
    path = write(HEAD + "projects: !!python/object/apply:os.system ['echo PWNED']\n")
    proc = subprocess.run(
        [sys.executable, "-m", "reconciler.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "PWNED" not in proc.stdout
    assert proc.stderr.splitlines()[-1] == "1 problem found."
