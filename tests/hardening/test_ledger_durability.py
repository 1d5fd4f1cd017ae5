"""The ledger under crashes and concurrency: intent before each write, whole-file saves under
unique temporary names, and one apply at a time per manifest and ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from reconciler.ledger import Ledger
from reconciler.runlock import apply_lock
from tests.e2e.harness import SECRETS, TOKEN, Cli, complete, seed, write_manifest, writes
from tests.e2e.test_faults import assert_no_duplicates

LIVE = {"updated_at": "2030-01-01T00:00:00Z"}


def test_a_write_started_but_not_recorded_is_unconfirmed_not_tampered(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    book = Ledger(path, "key")
    book.record("a", "v1", None, "2020-01-01T00:00:00Z")
    book.save()
    book.intend("a")  # the run dies here, after the request went out
    reread = Ledger(path, "key")
    assert reread.tampered("a", LIVE) is None
    verdict = reread.verdict("a", "v1", None, LIVE)
    assert verdict is not None and verdict.changed is True  # the next apply writes it again
    reread.record("a", "v1", None, LIVE["updated_at"])
    reread.save()
    assert "pending" not in json.loads(path.read_text())
    assert not reread.journal.exists()
    assert Ledger(path, "key").tampered("a", {"updated_at": "2031-01-01T00:00:00Z"})


def test_the_journal_survives_a_torn_line_and_a_crash_after_the_save(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    book = Ledger(path, "key")
    book.intend("a")
    book.record("a", "v1", None, "2020-01-01T00:00:00Z")
    book.intend("b")
    journal = book.journal.read_text()
    book.save()
    book.journal.write_text(journal + '{"op": "record", "addr')  # torn while being appended
    reread = Ledger(path, "key")  # replays nothing the ledger already holds
    assert set(reread.entries) == {"a"} and set(reread.pending) == {"b"}
    book.journal.unlink()
    book.journal.write_text(journal.splitlines()[0] + "\n")  # only "intend a" got out
    fresh = tmp_path / "fresh.json"
    book.journal.rename(fresh.with_name("fresh.json.journal"))
    assert set(Ledger(fresh, "key").pending) == {"a"}


def test_two_writers_never_leave_a_half_written_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    books = [Ledger(path, "key"), Ledger(path, "key")]
    bad: list[str] = []
    stop = threading.Event()

    def write(book: Ledger, tag: str) -> None:
        for i in range(60):
            try:
                book.record(f"{tag}{i}", "x" * 200, i, "2020-01-01T00:00:00Z")
                book.save()
            except OSError as exc:  # a shared temporary name: the other writer moved it away
                bad.append(repr(exc))

    def read() -> None:
        while not stop.is_set():
            try:
                json.loads(path.read_text())
            except FileNotFoundError:
                pass
            except ValueError as exc:
                bad.append(str(exc))

    reader = threading.Thread(target=read)
    reader.start()
    pairs = zip(books, "ab", strict=True)
    workers = [threading.Thread(target=write, args=pair) for pair in pairs]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    reader.join()
    assert bad == []
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file is left behind


def test_a_second_apply_is_refused_while_one_holds_the_lock(
    cli: Cli, world: Any, tmp_path: Path
) -> None:
    path = write_manifest(tmp_path / "m", complete())
    ledger_dir = tmp_path / "l"
    ledger_dir.mkdir()
    for held in (path, ledger_dir / "ledger.json"):
        world.reset_requests()
        with apply_lock([held]):
            run = cli("apply", path, "--auto-approve", "--ledger", ledger_dir / "ledger.json")
        assert run.exit_code == 1
        assert "another apply is running on" in run.stderr
        assert "wait for it" in run.stderr
        assert world.requests() == []  # refused before reading or writing anything
    done = cli("apply", path, "--auto-approve", "--ledger", ledger_dir / "ledger.json")
    assert done.exit_code == 0, done.stderr
    assert writes(world.requests())


def test_two_applies_started_together_never_duplicate(
    emulator_factory: Any, tmp_path: Path
) -> None:
    world = emulator_factory(seed=seed(), tokens=(), page_size=2, latency_ms=20)
    path = write_manifest(tmp_path, complete())
    env = {**os.environ, "CIRCLECI_HOST": world.url, "CIRCLECI_TOKEN": TOKEN, "CI": "true"}
    env.update(SECRETS)
    env["CIRCLECI_RECONCILER_LEDGER_KEY"] = "k"
    cmd = [sys.executable, "-m", "reconciler.cli", "apply", str(path), "--auto-approve"]
    cmd += ["--ledger", str(tmp_path / "ledger.json")]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        # Each run either applied or stopped at once on the other's lock, never half-way.
        assert proc.returncode == 0 or "another apply is running" in err, out + err
    assert_no_duplicates(world.state())
    json.loads((tmp_path / "ledger.json").read_text())
