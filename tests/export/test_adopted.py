"""By default an export adopts every secret (`NAME: {}`) and leaves signing secrets out, so
the exported manifest plans empty, and applies with no write, with no secret set; `export
--placeholders` writes `{env: ...}` references and lists them in the header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import main
from reconciler.manifest import load_manifest
from tests.export.helpers import comments
from tests.export.seed import API, HOOK_SECRET, ORG, SECRETS, TOKEN, WEB, seed


def _run(env: dict[str, str], *args: object) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _written(text: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))


def test_export_then_plan_and_apply_with_no_secret_set(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    out = tmp_path / "acme.yaml"
    exported = _run(env, "export", "--org", ORG, "--project", API, "--project", WEB, "-o", out)
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8")
    body = _written(text)
    assert "env:" not in body and "signing_secret" not in body
    m = load_manifest([out])
    adopted = [
        ev.adopted
        for parent in (*m.projects.values(), *m.contexts.values())
        for ev in (parent.env_vars or {}).values()
    ]
    assert len(adopted) == len(SECRETS) and all(adopted)
    notes = comments(text)
    assert "Nothing to set before plan or apply." in notes
    # The emulator, like CircleCI, masks a webhook's secret whether or not one was given.
    assert notes.count("CircleCI reports a signing secret: left out, so left alone") == 3

    plan = _run(env, "plan", out, "--detailed-exitcode", "--no-color")
    assert plan.exit_code == 0, plan.output
    assert "No changes" in plan.output
    emulator.reset_requests()
    applied = _run(env, "apply", out, "--auto-approve", "--no-color")
    assert applied.exit_code == 0, applied.output
    assert [r for r in emulator.requests() if r["method"] != "GET"] == []
    for value in [*SECRETS.values(), HOOK_SECRET]:
        if len(value) > 4:
            assert value not in text + plan.output + applied.output


def test_placeholders_keep_env_references(emulator_factory: Any, tmp_path: Path) -> None:
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    run = _run(env, "export", "--org", ORG, "--project", API, "--placeholders")
    assert run.exit_code == 0, run.output
    body = _written(run.stdout)
    assert "NPM_TOKEN: {env: API__NPM_TOKEN}" in body
    assert body.count("signing_secret: {env: ") == 3
    assert "Set every one of these to the current value" in comments(run.stdout)
    assert "NPM_TOKEN: {}" not in body


def test_an_edit_that_would_drop_a_signing_secret_is_refused(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """An update sends the whole webhook: one whose signing secret the export left out would
    lose it, so plan and apply refuse, drift says why, and the secret stays."""
    emulator = emulator_factory(seed=seed(), tokens=(TOKEN,), page_size=2)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    out = tmp_path / "acme.yaml"
    assert _run(env, "export", "--org", ORG, "--project", API, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace("hooks.example.com/circleci", "hooks.example.com/v2"))
    emulator.reset_requests()
    for command in ("plan", "apply"):
        run = _run(env, command, out, "--auto-approve" if command == "apply" else "--no-color")
        assert run.exit_code == 1, run.output
        assert f"project[{API}].webhook[slack]: an update would drop its signing secret" in (
            run.output
        )
    assert [r for r in emulator.requests() if r["method"] != "GET"] == []
    drift = _run(env, "drift", out, "--no-color")
    assert drift.exit_code == 2 and "an update would drop its signing secret" in drift.output
    slack = next(h for h in emulator.state()["webhooks"].values() if h["name"] == "slack")
    assert slack["signing_secret"] == HOOK_SECRET
