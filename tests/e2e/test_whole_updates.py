"""Schedule PATCH and webhook PUT send the whole object, as every real client does
(kelvintaywl schedule_resource.go and webhook_resource.go; the official provider's
webhook_resource.go). Whether CircleCI merges or replaces a partial body is not documented:
the emulator takes the harsher reading of each (README), and the result must be right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import Cli, complete, project_by_slug, write_manifest, writes


def _schedule(world: Any) -> dict[str, Any]:
    return next(iter(world.state()["schedules"].values()))


def test_a_timetable_moving_to_days_of_month_keeps_no_days_of_week(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    timetable = data["projects"]["gh/acme/api"]["schedules"]["nightly"]["timetable"]
    del timetable["days_of_week"]
    timetable["days_of_month"] = [1, 15]
    path = write_manifest(tmp_path, data)
    plan = cli("plan", path, "--format", "json").json()
    [change] = plan["changes"]
    assert change["action"] == "replace"  # right whether CircleCI merges timetables or not
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout
    stored = _schedule(world)
    assert stored["timetable"].get("days-of-month") == [1, 15]
    assert "days-of-week" not in stored["timetable"]
    assert stored["description"] == "Nightly build of main"
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_schedule_and_webhook_updates_send_the_whole_object(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    data = complete()
    path = write_manifest(tmp_path, data)
    assert cli("apply", path, "--auto-approve").exit_code == 0
    api = data["projects"]["gh/acme/api"]
    api["schedules"]["nightly"]["timetable"]["hours_of_day"] = [4]
    api["webhooks"]["slack"]["url"] = "https://hooks.example.com/other"
    path = write_manifest(tmp_path, data)
    world.reset_requests()
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert sorted(r["method"] for r in writes(world.requests())) == ["PATCH", "PUT"]
    state = world.state()
    hook = next(iter(state["webhooks"].values()))
    assert hook["url"] == "https://hooks.example.com/other"
    assert hook["signing_secret"] == "hook-secret-value-2222"  # sent again, so not reset
    assert hook["events"] and hook["verify_tls"] is True
    schedule = _schedule(world)
    assert schedule["timetable"]["hours-of-day"] == [4]
    assert schedule["parameters"] == {"branch": "main", "run-nightly": True}
    assert project_by_slug(state, "gh/acme/api")["id"] == schedule["project_id"]
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_an_update_whose_answer_omits_the_signing_secret_succeeds_unverified(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    # Official provider: "created_at, updated_at, and signing_secret may not be returned";
    # the emulator's PUT answer shows none (README), so no echo can be counted on.
    data = complete()
    assert cli("apply", write_manifest(tmp_path, data), "--auto-approve").exit_code == 0
    data["projects"]["gh/acme/api"]["webhooks"]["slack"]["verify_tls"] = False
    path = write_manifest(tmp_path, data)
    run = cli("apply", path, "--auto-approve")
    assert run.exit_code == 0, run.stdout
    [line] = [ln for ln in run.stdout.splitlines() if "webhook[slack]" in ln and " ok " in ln]
    assert "signing secret sent but not verified" in line
    assert "Apply finished: 1 done, 0 failed" in run.stdout
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
