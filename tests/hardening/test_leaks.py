"""No secret and no token in any output or file, whatever the command, the verbosity, or
how CircleCI echoes what it was sent (raw, JSON- or HTML-escaped, URL-encoded, base64, line
by line), with multi-line, quoted, unicode and 1 to 3 character values and token."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from reconciler.cli import main
from tests.hardening.echo import PEM, QUOTED, SERVICE_ACCOUNT, SHORT, UNICODE, hits

# Tokens of one to three characters (in Latin-1, as a header must be), one per mode.
TOKENS = {"clean": "Þ¦±", "echo-writes": "Þ", "echo-reads": "Þ¦"}
VALUES = {
    "PEM": PEM,
    "SA": SERVICE_ACCOUNT,
    "QUOTED": QUOTED,
    "UNICODE": UNICODE,
    "ONE": SHORT[0],
    "TWO": SHORT[1],
    "THREE": SHORT[2],
}
SECRETS = [*VALUES.values(), *TOKENS.values()]


def seed(token: str) -> dict[str, Any]:
    return {
        "users": [{"login": "alice", "token": token, "organizations": ["gh/acme"]}],
        "organizations": {"gh/acme": {"projects": {"gh/acme/api": {}}}},
    }


MODES = {
    "clean": None,
    "echo-writes": [{"mode": "echo", "method": m} for m in ("POST", "PUT", "PATCH", "DELETE")],
    "echo-reads": [{"mode": "echo", "method": "GET", "route": "/api/v2/context*"}],
}


def manifest(directory: Path) -> Path:
    (directory / "secrets").mkdir(parents=True)
    (directory / "secrets" / "pem").write_text(PEM + "\n")
    refs: dict[str, Any] = {name: {"env": f"LEAK_{name}"} for name in VALUES}
    refs["PEM_FILE"] = {"file": "secrets/pem"}
    data = {
        "version": 1,
        "organization": "gh/acme",
        "policy": {"manage_contexts": ["leak-*"]},
        "projects": {
            "gh/acme/api": {
                "env_vars": dict(refs),
                "webhooks": {
                    "hook": {
                        "url": "https://hooks.example.com/x",
                        "events": ["job-completed"],
                        "signing_secret": {"env": "LEAK_QUOTED"},
                    }
                },
            }
        },
        "contexts": {"leak-ctx": {"env_vars": dict(refs)}},
    }
    buf = io.StringIO()
    YAML().dump(data, buf)
    path = directory / "circleci.yaml"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def commands(path: Path, out: Path) -> list[list[str]]:
    ledger = ["--ledger", str(out / "ledger.json")]
    return [
        ["validate", str(path)],
        ["plan", str(path), *ledger],
        ["plan", str(path), "--format", "json", "--out", str(out / "plan.json")],
        ["plan", str(path), "--format", "markdown"],
        ["apply", "--plan", str(out / "plan.json"), "--auto-approve", "--force", *ledger],
        ["apply", str(path), "--auto-approve", "--force", *ledger],
        ["drift", str(path), *ledger],
        ["drift", str(path), "--format", "json", "-o", str(out / "drift.json")],
        ["drift", str(path), "--format", "markdown", *ledger],
        ["drift", str(path), "--format", "junit", "-o", str(out / "drift.xml")],
        ["rotate-ledger-key", str(path), *ledger],
        # --force: each verbosity exports again over the same file.
        ["export", "--org", "gh/acme", "--project", "gh/acme/api", "-o", str(out / "e.yaml")]
        + ["--force"],
    ]


@pytest.mark.parametrize("mode", list(MODES))
def test_no_command_at_any_verbosity_shows_a_secret(
    emulator_factory: Any, tmp_path: Path, mode: str
) -> None:
    world = emulator_factory(seed=seed(TOKENS[mode]), tokens=(), fault_rules=MODES[mode])
    path = manifest(tmp_path / "m")
    out = tmp_path / "out"
    out.mkdir()
    env = {
        "CIRCLECI_HOST": world.url,
        "CIRCLECI_TOKEN": TOKENS[mode],
        "CIRCLECI_RECONCILER_LEDGER_KEY": "leak-test-key",
        "CIRCLECI_RECONCILER_OLD_LEDGER_KEY": "leak-test-key",  # rotated onto itself
        "CI": "true",
        **{f"LEAK_{name}": value for name, value in VALUES.items()},
    }
    texts: list[str] = []
    codes = set()
    for verbosity in ([], ["-v"], ["-vv"]):
        for args in commands(path, out):
            result = CliRunner().invoke(main, verbosity + args, env=env, catch_exceptions=False)
            codes.add(result.exit_code)
            texts += [result.stdout, result.stderr]
            assert "Traceback" not in result.stderr
    texts += [f.read_text(encoding="utf-8") for f in out.iterdir()]
    found = [h for text in texts for h in hits(text, SECRETS)]
    assert found == []
    if mode != "clean":  # the echoes really were answered, and the runs failed on them
        assert 1 in codes
        assert any("withheld" in t for t in texts)
    if mode != "echo-reads":  # the apply reached its writes
        assert any(r["method"] != "GET" for r in world.requests())


def test_the_check_finds_each_form_it_looks_for() -> None:
    from tests.hardening.echo import forms

    for secret in SECRETS:
        for form in forms(secret):
            assert hits(f"before {form} after", [secret]), form
