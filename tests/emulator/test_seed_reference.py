"""SEED.md documents every key the seed loader accepts, in a seed that loads; the banner,
the 401 hint and a broken seed's message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from ruamel.yaml import YAML

from reconciler.emulator import EmulatorConfig, EmulatorServer
from reconciler.emulator import seed as seeds
from reconciler.emulator.banner import banner
from reconciler.emulator.seed import SeedError, build_world, read_seed
from reconciler.emulator.validate import TIMETABLE_KEYS
from reconciler.emulator.world import DEFAULT_SETTINGS

DOC = Path(seeds.__file__).with_name("SEED.md")


def _reference() -> dict[str, Any]:
    block = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    data: dict[str, Any] = YAML(typ="safe").load(block.group(1))
    return data


def test_the_reference_seed_loads_and_uses_every_key_the_loader_accepts() -> None:
    ref = _reference()
    build_world(ref, [])
    org = ref["organizations"]["gh/acme"]
    project = org["projects"]["gh/acme/api"]
    context = org["contexts"]["aws-prod"]
    schedule = project["schedules"]["nightly"]
    assert set(ref) == seeds.TOP_KEYS
    assert set(ref["users"][0]) == seeds.USER_KEYS
    assert set(org) == seeds.ORG_KEYS
    assert set(project) == seeds.PROJECT_KEYS
    assert set(project["settings"]) == set(DEFAULT_SETTINGS)
    assert set(schedule) == seeds.SCHEDULE_KEYS
    assert {k.replace("_", "-") for k in schedule["timetable"]} | {"days-of-month"} == set(
        TIMETABLE_KEYS
    )
    assert "days_of_month" in DOC.read_text(encoding="utf-8")  # the alternative to days_of_week
    assert set(project["webhooks"]["slack"]) == seeds.WEBHOOK_KEYS
    assert set(context) == seeds.CONTEXT_KEYS
    assert set(context["restrictions"]) == seeds.RESTRICTION_KEYS


def test_the_banner_lists_orgs_and_only_the_tokens_the_seed_declares() -> None:
    ref = _reference()
    world = build_world(ref, ["given-on-the-command-line"])
    assert banner(world, "http://127.0.0.1:1", ref) == [
        "CircleCI API emulator at http://127.0.0.1:1 (API under /api/v2); Ctrl-C stops it.",
        "  organization gh/acme: 1 project, 1 context",
        "  token alice-test-token for alice (gh/acme)",
        "  and 1 token from --token or the state file (not shown; a member of every organization)",
    ]
    empty = build_world(None, [])
    assert banner(empty, "u", None)[-1] == (
        "  no token is accepted yet: pass --token, or list users in the seed"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("users:\n  - login: a\n    token: [1\n", "4:1: did not find expected ',' or ']' "),
        ("a: b: c\n", "1:5: mapping values are not allowed in this context"),
        ("x: secret-one\nx: secret-two\n", "2:1: a key is written twice in one mapping"),
    ],
)
def test_a_broken_seed_names_file_line_col_and_the_parsers_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(text)
    with pytest.raises(SeedError) as caught:
        read_seed(path)
    assert str(caught.value).startswith(f"{path}:{message}")
    assert "secret" not in str(caught.value).replace(str(path), "")


def test_a_request_without_a_known_token_logs_why(caplog: pytest.LogCaptureFixture) -> None:
    # No contract observer: a request without credentials is off the contract on purpose.
    server = EmulatorServer(EmulatorConfig(seed=_reference()), observer=None)
    url = server.start()
    try:
        with caplog.at_level("INFO", logger="reconciler.emulator"):
            none = requests.get(url + "/api/v2/me", timeout=10)
            wrong = requests.get(
                url + "/api/v2/me", headers={"Circle-Token": "not-a-known-one"}, timeout=10
            )
    finally:
        server.stop()
    assert (none.status_code, wrong.status_code) == (401, 401)
    hints = [r.getMessage() for r in caplog.records if r.getMessage().startswith("401 for")]
    assert hints == [
        "401 for GET /api/v2/me: no token was sent; this emulator accepts the tokens listed "
        "when it started (the seed's users and --token), in the Circle-Token header",
        "401 for GET /api/v2/me: a token it does not know was sent; this emulator accepts the "
        "tokens listed when it started (the seed's users and --token), in the Circle-Token "
        "header",
    ]
    assert not any("not-a-known-one" in r.getMessage() for r in caplog.records)
