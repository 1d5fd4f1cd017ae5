"""A webhook trigger's URL carries a secret CircleCI made: no command at any verbosity, and
no file it writes (plan, drift report, export, ledger), shows it or its secret."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner
from ruamel.yaml import YAML

from reconciler.cli import main
from reconciler.client.response import error_for
from tests.e2e.harness import TOKEN
from tests.e2e.pipelines_seed import ORG, SLUG, manifest, seed
from tests.hardening.echo import forms, hits


def _seed() -> dict[str, Any]:
    data = seed()
    project = data["organizations"][ORG]["projects"][SLUG]
    project["pipeline_definitions"]["build"]["triggers"]["made-by-hand"] = {
        "provider": "webhook",
        "sender": "sentry",
        "checkout_ref": "main",
        "config_ref": "main",
    }
    return data


def test_no_output_shows_a_webhook_triggers_url(emulator_factory: Any, tmp_path: Path) -> None:
    world = emulator_factory(seed=_seed(), tokens=())
    path = tmp_path / "circleci.yaml"
    buf = io.StringIO()
    YAML().dump(manifest(), buf)
    path.write_text(buf.getvalue(), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    ledger = ["--ledger", str(out / "ledger.json")]
    commands = [
        ["plan", str(path), *ledger],
        ["plan", str(path), "--format", "json", "--out", str(out / "plan.json")],
        ["apply", str(path), "--auto-approve", "--allow-deletes", *ledger],
        ["plan", str(path), "--format", "markdown"],
        ["drift", str(path), *ledger],
        ["drift", str(path), "--format", "json", "-o", str(out / "drift.json")],
        ["drift", str(path), "--format", "junit", "-o", str(out / "drift.xml")],
        ["export", "--org", ORG, "--project", SLUG, "-o", str(out / "e.yaml"), "--force"],
    ]
    env = {
        "CIRCLECI_HOST": world.url,
        "CIRCLECI_TOKEN": TOKEN,
        "CIRCLECI_RECONCILER_LEDGER_KEY": "leak-test-key",
        "CI": "true",
    }
    urls = [_urls(world)[0]]  # the hand-made one, shown before the apply deletes it
    texts: list[str] = []
    for verbosity in ([], ["-vv"]):
        for args in commands:
            result = CliRunner().invoke(main, verbosity + args, env=env, catch_exceptions=False)
            texts += [result.stdout, result.stderr]
    texts += [f.read_text(encoding="utf-8") for f in out.iterdir()]
    urls += _urls(world)  # the one the manifest made
    assert len(set(urls)) == 2
    secrets = [parse_qs(urlsplit(u).query)["secret"][0] for u in urls]
    assert [h for text in texts for h in hits(text, secrets + urls)] == []
    assert any("a URL with a secret" in t for t in texts)  # the export says one exists
    # The apply that made one says where to find its URL, without showing it.
    assert any("copy it from the project's triggers in CircleCI's UI" in t for t in texts)


def _urls(world: Any) -> list[str]:
    return [t["url"] for t in world.state()["tables"]["pipeline_triggers"].values() if t["url"]]


def test_an_error_quoting_a_trigger_url_shows_not_its_secret() -> None:
    """The client never held this secret (CircleCI made it), so it is known by its place:
    the `secret=` of a URL, in whatever escaping the server quotes it."""
    secret = "5f0c9e2a7b1d43e8a6c2f9d0b4e7a1c3"
    url = f"https://circleci.example/hooks/8d1e?secret={secret}&v=2"
    for echoed in [*forms(url), json.dumps(json.dumps(url))[3:-3]]:
        if "base64" in echoed or echoed.isalnum():
            continue
        for body in (
            {"message": f"trigger {echoed} is not valid"},
            {"message": json.dumps({"message": f"bad {echoed}"})},
            f"<html><title>{echoed}</title></html>",
        ):
            err = error_for(400, body, method="PATCH", path="/projects/p/triggers/t")
            assert hits(str(err), [secret]) == [], (echoed, str(err))
    assert "secret=***" in str(error_for(400, {"message": url}, method="GET", path="/x"))
