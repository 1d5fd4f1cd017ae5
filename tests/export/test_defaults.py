"""`export --defaults` on an organization of 40 similar projects and 10 contexts: what most
projects share is written once, the manifest is much shorter, it means the same projects,
and it plans empty with no secret set, as the export without defaults does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import main
from reconciler.exporting.factor import factor
from reconciler.exporting.yamltext import Block, dump
from reconciler.manifest import load_manifest

ORG, TOKEN = "gh/acme", "defaults-token"
SLUGS = [f"{ORG}/svc-{n:02d}" for n in range(40)]


def _project(n: int) -> dict[str, Any]:
    project: dict[str, Any] = {
        "settings": {"build_fork_prs": False, "autocancel_builds": True},
        "env_vars": {"NPM_TOKEN": f"npm-{n}", "SENTRY_DSN": f"https://k{n}@sentry.example/1"},
        "checkout_keys": ["deploy-key"],
    }
    if n % 7 == 0:  # a few differ, each in its own way
        project["settings"]["build_fork_prs"] = True
        project["env_vars"] = {"NPM_TOKEN": "npm-x", "EXTRA": "1"}
        project["checkout_keys"] = ["deploy-key", "user-key"]
    if n % 5 == 0:
        project["webhooks"] = {
            "slack": {
                "url": "https://hooks.example.com/ci",
                "events": ["workflow-completed"],
                "signing_secret": f"whsec-{n}",
            }
        }
        project["schedules"] = {
            "nightly": {
                "attribution_actor": "system",
                "timetable": {"per_hour": 1, "hours_of_day": [3], "days_of_week": ["MON"]},
                "parameters": {"branch": "main"},
            }
        }
    return project


def _seed() -> dict[str, Any]:
    contexts = {
        f"ctx-{n}": {
            "env_vars": {"KEY": f"secret-{n}"},
            "restrictions": {"projects": SLUGS[n : n + 2], "expressions": [], "groups": []},
        }
        for n in range(10)
    }
    return {
        "users": [{"login": "ops", "token": TOKEN, "organizations": [ORG]}],
        "organizations": {
            ORG: {"projects": {s: _project(n) for n, s in enumerate(SLUGS)}, "contexts": contexts}
        },
    }


def _dump(path: Path) -> dict[str, Any]:
    m = load_manifest([path])
    return {s: p.model_dump(exclude={"skip_defaults"}) for s, p in m.projects.items()}


def test_defaults_shorten_the_export_and_plan_empty(emulator_factory: Any, tmp_path: Path) -> None:
    emulator = emulator_factory(seed=_seed(), tokens=(), page_size=20)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    args = ["export", "--org", ORG, *(a for s in SLUGS for a in ("--project", s))]
    plain, shared = tmp_path / "plain.yaml", tmp_path / "shared.yaml"
    for out, extra in ((plain, []), (shared, ["--defaults"])):
        run = CliRunner().invoke(main, [*args, *extra, "--output", str(out)], env=env)
        assert run.exit_code == 0, run.output
    lines = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (plain, shared)}
    print(f"export lines: {lines}")
    assert lines["shared.yaml"] <= 0.6 * lines["plain.yaml"], lines
    text = shared.read_text(encoding="utf-8")
    assert "\ndefaults:\n" in text and "skip_defaults: [env_vars.SENTRY_DSN]" in text
    assert _dump(shared) == _dump(plain)  # the same projects, once merged

    for path in (plain, shared):
        plan = CliRunner().invoke(main, ["plan", str(path), "--detailed-exitcode"], env=env)
        assert plan.exit_code == 0, plan.output
        assert "No changes" in plan.output


def test_export_org_with_no_other_flag_plans_empty(emulator_factory: Any, tmp_path: Path) -> None:
    """The adoption path as a new user takes it: 40 projects found with no --project, secrets
    adopted, schedules by another user (the seed's first member) and by the system kept."""
    seed = _seed()
    seed["users"].insert(0, {"login": "bob", "token": "bob-token", "organizations": [ORG]})
    for n, body in enumerate(seed["organizations"][ORG]["projects"].values()):
        if "schedules" in body and n % 10 == 0:
            del body["schedules"]["nightly"]["attribution_actor"]  # bob's, not the system's
    emulator = emulator_factory(seed=seed, tokens=(), page_size=20)
    env = {"CIRCLECI_TOKEN": TOKEN, "CIRCLECI_HOST": emulator.url}
    plain, shared = tmp_path / "plain.yaml", tmp_path / "shared.yaml"
    for out, extra in ((plain, []), (shared, ["--defaults"])):
        run = CliRunner().invoke(main, ["export", "--org", ORG, *extra, "-o", str(out)], env=env)
        assert run.exit_code == 0, run.output
    assert set(load_manifest([plain]).projects) == set(SLUGS)
    text = plain.read_text(encoding="utf-8")
    assert "attribution_actor: keep" in text and "attribution_actor: system" in text
    lines = [len(p.read_text(encoding="utf-8").splitlines()) for p in (plain, shared)]
    assert lines[1] <= 0.6 * lines[0], lines
    for path in (plain, shared):
        plan = CliRunner().invoke(main, ["plan", str(path), "--detailed-exitcode"], env=env)
        assert plan.exit_code == 0, plan.output


def _body(**sections: Any) -> Block:
    body = Block()
    for key, value in sections.items():
        body.add(key, value)
    return body


def test_a_project_missing_a_shared_section_skips_it() -> None:
    projects = Block()
    for name in ("a", "b"):
        projects.add(f"gh/acme/{name}", _body(settings=_body(x=True, y=False)))
    projects.add("gh/acme/refused", _body())  # its settings could not be read
    shared = factor(projects, ORG, [("settings", False)])
    assert shared is not None
    text = dump(_body(defaults=shared, projects=projects), [])
    assert "  gh/acme/a: {}\n" in text and "  gh/acme/b: {}\n" in text
    assert "  gh/acme/refused:\n    skip_defaults: [settings]\n" in text


def test_nothing_is_factored_for_one_project() -> None:
    projects = _body(**{"gh/acme/a": _body(settings=_body(x=True))})
    assert factor(projects, ORG, [("settings", False)]) is None
