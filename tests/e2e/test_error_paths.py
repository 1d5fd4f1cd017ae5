"""Error paths seen on real CircleCI (reconciler/emulator/README.md, "Evidence from
CircleCI's own clients"): one clear message, no blind retries, no traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from tests.e2e.harness import TOKEN, Cli, complete, seed, write_manifest
from tests.emulator.helpers import NEWER_ROUTE, off_spec

USER_KEY = {
    "version": 1,
    "organization": "gh/acme",
    "projects": {"gh/acme/api": {"checkout_keys": ["user-key"]}},
}


def test_a_user_key_without_github_authorisation_is_one_clear_error(
    emulator_factory: Any, tmp_path: Path
) -> None:
    # circleci-cli PR #1647: user-key creation answers 500 when the user has not authorised
    # GitHub; retrying cannot help.
    seed = {
        "users": [
            {
                "login": "bot",
                "token": TOKEN,
                "organizations": ["gh/acme"],
                "github_authorized": False,
            }
        ],
        "organizations": {"gh/acme": {"projects": {"gh/acme/api": {}}}},
    }
    world = emulator_factory(seed=seed, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    run = cli("apply", write_manifest(tmp_path, USER_KEY), "--auto-approve")
    assert run.exit_code == 1
    assert "has not authorised CircleCI on GitHub" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    posts = [r for r in world.requests() if r["method"] == "POST"]
    assert [r["status"] for r in posts] == [500]  # one attempt, not four
    assert world.state()["projects"]  # nothing else went wrong


STANDALONE = "circleci/DrNsW5SW6K42zooKCzkVek"


def test_a_standalone_slug_with_a_name_for_a_key_does_not_exist(
    emulator_factory: Any, tmp_path: Path
) -> None:
    # circleci-cli PR #1647: CircleCI answers 400, not 404, to circleci/<org>/<name>.
    seed = {
        "users": [{"login": "dev", "token": TOKEN, "organizations": [STANDALONE]}],
        "organizations": {STANDALONE: {}},
    }
    world = emulator_factory(seed=seed, tokens=(), page_size=2)
    manifest = {"version": 1, "organization": STANDALONE, "projects": {f"{STANDALONE}/app": {}}}
    run = Cli(host=world.url)("plan", write_manifest(tmp_path, manifest))
    assert run.exit_code == 1
    assert f"project {STANDALONE}/app does not exist in CircleCI" in run.stderr
    assert [r["status"] for r in world.requests() if "/project/" in r["path"]] == [400]


def test_an_org_listed_with_a_null_id_plans_applies_and_exports(
    emulator_factory: Any, contract_observer: Any, tmp_path: Path
) -> None:
    # The spec marks /me/collaborations `id` x-nullable; the newer GET /organization/{org}
    # may be missing too (the emulator answers 404 for such an org): go by the slug.
    data = seed()
    data["organizations"]["gh/acme"]["listed_without_id"] = True
    world = emulator_factory(seed=data, tokens=(), page_size=2)
    cli = Cli(host=world.url)
    path = write_manifest(tmp_path, complete())
    with off_spec(contract_observer, NEWER_ROUTE):
        run = cli("apply", path, "--auto-approve")
        assert run.exit_code == 0, run.stdout + run.stderr
        assert cli("plan", path, "--detailed-exitcode").exit_code == 0
        out = tmp_path / "exported.yaml"
        run = cli("export", "--org", "gh/acme", "--project", "gh/acme/api", "-o", out)
    assert run.exit_code == 0 and "Traceback" not in run.stderr, run.stderr
    assert "aws-prod" in out.read_text()


def test_a_value_ending_in_non_ascii_characters_is_not_rewritten_every_apply(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    # Spec: the mask is "four 'x' characters, in addition to the last four ASCII characters".
    data = complete()
    data["projects"]["gh/acme/api"]["env_vars"]["GREETING"] = "grüße-aus-köln-ü"
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    listed = requests.get(
        f"{world.api}/project/gh%2Facme%2Fapi/envvar/GREETING",
        headers={"Circle-Token": TOKEN},
        timeout=10,
    ).json()
    assert listed["value"] == "xxxxkln-"  # the last ASCII characters only
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_a_secret_without_a_usable_write_time_is_said_once(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    # A context env var PUT may answer without updated_at (recorded 2021) or with {message}
    # only (spec): the ledger then holds no time, and hand edits cannot be seen.
    ledger = tmp_path / "ledger.json"
    env = {"CIRCLECI_RECONCILER_LEDGER_KEY": "k3y-for-tests"}
    path = write_manifest(tmp_path, complete())
    assert cli("apply", path, "--auto-approve", "--ledger", ledger, env=env).exit_code == 0
    data = json.loads(ledger.read_text())
    blind = sorted(a for a in data["entries"] if a.startswith("context[aws-prod].env_var"))
    for address in blind:
        data["entries"][address]["updated_at"] = None
    ledger.write_text(json.dumps(data))
    for command in ("plan", "drift"):
        run = cli(command, path, "--format", "json", "--ledger", ledger, env=env)
        notes = [n for n in run.json()["notes"] if "tamper detection is not possible" in n]
        assert len(notes) == 1 and all(a in notes[0] for a in blind), run.stdout
        assert "project[gh/acme/api].env_var[NPM_TOKEN]" not in notes[0]  # its time reads
