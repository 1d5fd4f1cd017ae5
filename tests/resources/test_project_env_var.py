"""Project env vars export as placeholders named after the project; bad names are left alone."""

from __future__ import annotations

from tests.resources.helpers import Export, child, project

API = project("gh/acme/api", "p1")


def test_variables_are_adopted_by_default() -> None:
    live = [child("project_env_var", API, "env_var", n) for n in ("NPM_TOKEN", "A")]
    out = Export("project_env_var", API, live)
    assert out.text == "env_vars:\n  A: {}\n  NPM_TOKEN: {}\n"
    assert out.placeholders == [] and out.ctx.placeholders.adopted == 2


def test_values_become_placeholders_and_invalid_names_hands_off() -> None:
    live = [child("project_env_var", API, "env_var", n) for n in ("NPM_TOKEN", "9BAD", "A")]
    out = Export("project_env_var", API, live, placeholders=True)
    assert out.text == ("env_vars:\n  A: {env: API__A}\n  NPM_TOKEN: {env: API__NPM_TOKEN}\n")
    assert out.hands_off == {"env_vars": {"9BAD"}}
    assert out.ctx.hands_off.why == ["env var '9BAD' of gh/acme/api: not a valid manifest name"]
    assert [name for name, _ in out.placeholders] == ["API__A", "API__NPM_TOKEN"]


def test_a_standalone_project_names_placeholders_by_its_name() -> None:
    app = project("circleci/Org1/Proj1", "p9", name="app")
    out = Export(
        "project_env_var", app, [child("project_env_var", app, "env_var", "K")], placeholders=True
    )
    assert out.text == "env_vars:\n  K: {env: APP__K}\n"
