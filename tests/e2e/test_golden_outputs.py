"""What users see, pinned: plan, apply, drift and export of the demo manifest against its
seeded world, in every format, compared with tests/e2e/golden/ (UPDATE_GOLDEN=1 rewrites).

Restructuring the code must leave these byte-identical. Only what the server generates (ids,
times, checksums over them) is replaced by stable tokens before comparing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests
from ruamel.yaml import YAML

from tests.e2e.harness import Cli
from tests.render.goldens import check_golden

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "examples" / "demo" / "manifest.yaml"
GOLDEN = Path(__file__).parent / "golden"
TOKEN = "demo-token"
DEMO_SECRETS = {
    "NPM_TOKEN": "npm-demo-0001",
    "WEBHOOK_SECRET": "hook-demo-0002",
    "PROD_AWS_ACCESS_KEY_ID": "AKIADEMO0003",
    "PROD_AWS_SECRET_ACCESS_KEY": "demo-secret-0004",
    "CIRCLECI_RECONCILER_LEDGER_KEY": "demo-ledger-key",
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_DURATION = re.compile(r'time="[0-9.]+"')
_OUTCOME = re.compile(r"^ *(ok|FAILED|skipped)  ")


def stable(text: str) -> str:
    """Server-generated values as tokens numbered by first appearance."""
    seen: dict[str, str] = {}

    def token(prefix: str) -> Any:
        def sub(m: re.Match[str]) -> str:
            return seen.setdefault(m.group(0), f"<{prefix}-{len(seen) + 1}>")

        return sub

    text = _UUID.sub(token("id"), text)
    text = _CHECKSUM.sub("<checksum>", text)
    text = _TIME.sub("<time>", text)
    return _DURATION.sub('time="<duration>"', text)


def check(name: str, actual: str) -> None:
    check_golden(name, stable(actual), GOLDEN)


def demo_seed() -> dict[str, Any]:
    seed: dict[str, Any] = YAML(typ="safe").load((REPO / "scripts" / "demo-seed.yaml").read_text())
    return seed


@pytest.fixture
def demo(emulator_factory: Any) -> tuple[Any, Cli]:
    world = emulator_factory(seed=demo_seed(), tokens=(), page_size=5)
    cli = Cli(host=world.url, env={"CIRCLECI_TOKEN": TOKEN, **DEMO_SECRETS})
    return world, cli


def test_demo_outputs_are_unchanged(demo: tuple[Any, Cli], tmp_path: Path) -> None:
    world, cli = demo
    ledger = tmp_path / "ledger.json"
    for fmt, ext in (("text", "txt"), ("markdown", "md"), ("json", "json")):
        run = cli("plan", MANIFEST, "--ledger", ledger, "--format", fmt, "--no-color")
        assert run.exit_code == 0, run.stderr
        check(f"plan.{ext}", run.stdout)
    run = cli("apply", MANIFEST, "--ledger", ledger, "--auto-approve", "--no-color")
    assert run.exit_code == 0, run.stderr
    # Outcomes arrive in completion order within a wave: compare them sorted, after the plan.
    lines = run.stdout.splitlines()
    outcomes = [line for line in lines if _OUTCOME.match(line)]
    rest = [line for line in lines if not _OUTCOME.match(line)]
    check("apply.txt", "\n".join(rest + sorted(outcomes)) + "\n")
    run = cli("plan", MANIFEST, "--ledger", ledger, "--no-color")
    check("plan-after-apply.txt", run.stdout)

    ctx = next(c for c in world.state()["contexts"].values() if c["name"] == "aws-prod")
    requests.put(
        f"{world.api}/context/{ctx['id']}/environment-variable/AWS_ACCESS_KEY_ID",
        json={"value": "changed-by-hand"},
        headers={"Circle-Token": TOKEN},
        timeout=10,
    ).raise_for_status()
    for fmt, ext in (("text", "txt"), ("markdown", "md"), ("json", "json"), ("junit", "xml")):
        run = cli("drift", MANIFEST, "--ledger", ledger, "--format", fmt, "--no-color")
        assert run.exit_code == 2, run.stderr
        check(f"drift.{ext}", run.stdout)

    run = cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "--project", "gh/acme/web")
    assert run.exit_code == 0, run.stderr
    check("export.yaml", run.stdout)
    for value in (*DEMO_SECRETS.values(), "changed-by-hand", TOKEN):
        assert not any(value in text for text in cli.outputs)


@pytest.mark.parametrize("example", ["minimal", "complete"])
def test_example_plans_and_drift_are_unchanged(
    emulator_factory: Any, tmp_path: Path, example: str
) -> None:
    seed = demo_seed()
    seed["organizations"]["gh/acme"]["projects"]["gh/acme/website"] = {}
    # What complete.yaml adopts without values ({}) must exist: nothing can create it.
    api_vars = seed["organizations"]["gh/acme"]["projects"]["gh/acme/api"]["env_vars"]
    api_vars.update({"CODECOV_TOKEN": "codecov-live-value", "SIGNING_KEY": "signing-live-value"})
    world = emulator_factory(seed=seed, tokens=(), page_size=5)
    cli = Cli(host=world.url, env={"CIRCLECI_TOKEN": TOKEN})
    source = (REPO / "examples" / f"{example}.yaml").read_text(encoding="utf-8")
    manifest = tmp_path / f"{example}.yaml"
    manifest.write_text(source, encoding="utf-8")
    shutil.copytree(REPO / "examples" / "policies", tmp_path / "policies")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "sentry-dsn").write_text("https://sentry.example/1\n")
    names = set(re.findall(r"\{env: ([A-Z0-9_]+)", source))
    env = {name: f"{name.lower()}-example-value" for name in names}
    for fmt, ext in (("text", "txt"), ("json", "json")):
        run = cli("plan", manifest, "--format", fmt, "--no-color", env=env)
        assert run.exit_code == 0, run.stderr
        check(f"{example}-plan.{ext}", run.stdout)
        run = cli("drift", manifest, "--format", fmt, "--no-color", env=env)
        check(f"{example}-drift.{ext}", run.stdout)
    assert not any(v in text for v in env.values() for text in cli.outputs)


def test_github_app_example_plans_applies_and_exports_as_pinned(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """examples/github-app.yaml against an organization whose repository CircleCI knows but
    whose project has no pipeline yet."""
    from tests.e2e.pipelines_seed import ORG, SLUG, seed

    data = seed()
    project = data["organizations"][ORG]["projects"][SLUG]
    project["repository"]["external_id"] = "123456789"
    del project["pipeline_definitions"]
    data["users"][0]["token"] = TOKEN
    world = emulator_factory(seed=data, tokens=(), page_size=5)
    cli = Cli(host=world.url, env={"CIRCLECI_TOKEN": TOKEN})
    manifest = tmp_path / "github-app.yaml"
    manifest.write_text((REPO / "examples" / "github-app.yaml").read_text(encoding="utf-8"))
    run = cli("plan", manifest, "--no-color")
    assert run.exit_code == 0, run.stderr
    check("github-app-plan.txt", run.stdout)
    run = cli("apply", manifest, "--auto-approve", "--no-color")
    assert run.exit_code == 0, run.stderr
    assert cli("plan", manifest, "--detailed-exitcode").exit_code == 0
    run = cli("export", "--org", ORG, "--project", SLUG)
    assert run.exit_code == 0, run.stderr
    check("github-app-export.yaml", run.stdout)
