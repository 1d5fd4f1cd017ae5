"""The fingerprint ledger: what the reconciler last wrote, without the values.

For each secret it keeps an HMAC-SHA256 keyed by CIRCLECI_RECONCILER_LEDGER_KEY (a plain hash
would let anyone holding the file guess short secrets), the manifest `version`, and the
`updated_at` CircleCI reported after the write. Without a key it keeps versions and times
only, and says so in the file. The file may be committed.

Every write is bracketed: its intent is appended to a journal (`<ledger>.journal`, one JSON
line each, fsynced) before the request goes out, and its outcome after the answer, so a run
killed at any moment leaves each of its writes either recorded or marked pending. A pending
write is never reported as tampering: the next apply writes it again and records it. The
journal costs one short append per write, not a rewrite of the whole file; `save` folds it
into the ledger at the end of a run (readers replay whatever is left of it).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.core import Reason, SecretVerdict
from reconciler.errors import ReconcilerError

KEY_VARIABLE = "CIRCLECI_RECONCILER_LEDGER_KEY"
OLD_KEY_VARIABLE = "CIRCLECI_RECONCILER_OLD_LEDGER_KEY"  # the key being rotated away
FORMAT = 1
# A keyed fingerprint of this text tells a wrong key from changed values: without it every
# fingerprint would mismatch and the plan would rewrite every secret.
KEY_CHECK = b"circleci-reconciler ledger key check"


def _hmac(key: bytes, message: bytes) -> str:
    return "hmac-sha256:" + hmac.new(key, message, hashlib.sha256).hexdigest()


def _fingerprint(key: bytes, address: str, value: str) -> str:
    return _hmac(key, address.encode() + b"\0" + value.encode())


_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")
_FRACTION = re.compile(r"\.(\d+)(?=[+-]\d\d:\d\d$|$)")


def _parse_time(value: Any) -> datetime | None:
    """ISO 8601, or the EDN instant the spec shows (`#joda/inst 2023-04-14T21:20:14+0000`);
    None for anything else (null included): then no time can be compared."""
    if not isinstance(value, str) or not value:
        return None
    value = value.removeprefix("#joda/inst").strip()
    # Python 3.10's fromisoformat reads neither `Z`, `+0000` nor fractions other than 3 or 6
    # digits: spell them as it does.
    value = _OFFSET.sub(r"\1:\2", value.replace("Z", "+00:00"))
    value = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), value)
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _changed_since(entry: dict[str, Any], live: dict[str, Any]) -> bool:
    """CircleCI reports a later write than the one the reconciler recorded."""
    written, seen = _parse_time(entry.get("updated_at")), _parse_time(live.get("updated_at"))
    return bool(written and seen and seen > written)


class Ledger:
    def __init__(self, path: Path, key: str | None = None, variable: str = KEY_VARIABLE) -> None:
        """`variable` names where the key came from, for the messages that refuse it."""
        self.path = path
        self._key = key.encode() if key else None
        self._lock = threading.Lock()  # guards entries
        self._file = threading.Lock()  # one writer of the file at a time
        self.journal = path.with_name(path.name + ".journal")
        self.entries: dict[str, dict[str, Any]] = {}
        # address -> when a write started whose outcome is not yet known
        self.pending: dict[str, str] = {}
        self._seq = 0  # the last journal operation folded in (the file says up to which)
        self.key_checked = False  # whether the file recorded a key check (older ones did not)
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.entries = dict(data.get("entries", {}))
                self.pending = {str(k): str(v) for k, v in dict(data.get("pending", {})).items()}
                self._seq = int(data.get("seq", 0))
                was_keyed = bool(data.get("keyed"))
                check = data.get("key_check")
                self.key_checked = isinstance(check, str)
            except (OSError, ValueError, AttributeError, TypeError) as exc:
                raise ReconcilerError(f"cannot read ledger {path}: {type(exc).__name__}") from None
            self._check_key(was_keyed, check, variable)
        self._replay()

    def _check_key(self, was_keyed: bool, check: Any, variable: str) -> None:
        """Refuse a missing or wrong key before anything is read from CircleCI. A ledger
        written before key checks were recorded has none: it gains one on its next save."""
        if was_keyed and self._key is None:
            # A keyless run would drop fingerprints and blind every later comparison.
            raise ReconcilerError(
                f"the ledger {self.path} holds keyed fingerprints: set {variable} to the key "
                "it was written with; nothing was planned or written"
            )
        if self._key is not None and isinstance(check, str):
            if not hmac.compare_digest(_hmac(self._key, KEY_CHECK), check):
                raise ReconcilerError(
                    f"{variable} is not the key the ledger {self.path} was written with: set "
                    "that key (to change keys, run `circleci-reconciler rotate-ledger-key`); "
                    "nothing was planned or written"
                )

    def _replay(self) -> None:
        """Fold in what a run that did not finish left in the journal. Operations already in
        the ledger (a crash between the save and the journal's removal) are skipped. A torn
        last line is an append the run never finished: a torn intent's request was never
        sent, and a torn outcome leaves its write pending."""
        try:
            lines = self.journal.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise ReconcilerError(f"cannot read {self.journal}: {type(exc).__name__}") from None
        for line in lines:
            try:
                op = json.loads(line)
                seq = int(op["seq"])
            except (ValueError, TypeError, KeyError):
                continue
            if seq > self._seq:
                self._apply(op)
                self._seq = seq

    @classmethod
    def open(cls, path: Path, environ: dict[str, str] | None = None) -> Ledger:
        env = os.environ if environ is None else environ
        return cls(path, env.get(KEY_VARIABLE) or None)

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r}, keyed={self.keyed})"

    @property
    def keyed(self) -> bool:
        return self._key is not None

    def fingerprint(self, address: str, value: str) -> str | None:
        """Keyed by the ledger key and bound to the address, so equal values written to two
        places do not show as equal fingerprints in a file that may be committed."""
        if self._key is None:
            return None
        return _fingerprint(self._key, address, value)

    def rotate(self, new_key: str, values: dict[str, str]) -> tuple[int, int]:
        """Re-key every fingerprint whose value (`values`: address -> the manifest's value
        now) is still the one it was made from; drop the others, so the next apply writes
        those once to record them, as it would have anyway. Answers (re-keyed, dropped).
        Nothing in CircleCI is touched: the fingerprints are recomputed from the values."""
        if self._key is None:
            raise ReconcilerError(f"rotating the key of {self.path} needs the old key")
        new = new_key.encode()
        rekeyed = dropped = 0
        with self._lock:
            for address, entry in self.entries.items():
                old = entry.get("fingerprint")
                if not old:
                    continue
                value = values.get(address)
                if value is not None and hmac.compare_digest(
                    str(self.fingerprint(address, value)), str(old)
                ):
                    entry["fingerprint"] = _fingerprint(new, address, value)
                    rekeyed += 1
                else:
                    del entry["fingerprint"]
                    dropped += 1
            self._key = new
        return rekeyed, dropped

    def verdict(
        self, address: str, value: str, version: int | None, live: dict[str, Any]
    ) -> SecretVerdict | None:
        """What the ledger can honestly say about a live value."""
        if address in self.pending:
            return SecretVerdict(True, "unconfirmed: the last apply stopped during this write")
        entry = self.entries.get(address)
        if entry is None:
            # Written once with the ledger on, every later run can compare it.
            return SecretVerdict(
                True, "not in the ledger yet: written once to record it", Reason.SECRET_UNRECORDED
            )
        if version is not None and (entry.get("version") or 0) < version:
            return SecretVerdict(True, f"version bumped to {version}", Reason.VERSION_BUMPED)
        if _changed_since(entry, live):
            when = live["updated_at"]
            return SecretVerdict(
                True, f"changed outside the reconciler at {when}", Reason.CHANGED_BY_HAND
            )
        fp = self.fingerprint(address, value)
        if fp and entry.get("fingerprint"):
            if hmac.compare_digest(fp, entry["fingerprint"]):
                return SecretVerdict(False, "matches the value last written")
            return SecretVerdict(True, "the source value changed since the last apply")
        if fp:
            return SecretVerdict(
                True,
                "no fingerprint in the ledger yet: written once to record it",
                Reason.SECRET_UNRECORDED,
            )
        return SecretVerdict(None, "the ledger has no key to compare values")

    def untimed(self, address: str, live: dict[str, Any]) -> bool:
        """Whether a recorded secret's hand edits cannot be seen: the time of the last write,
        or the time CircleCI reports now, is missing or unreadable."""
        entry = self.entries.get(address)
        if entry is None:
            return False
        return _parse_time(entry.get("updated_at")) is None or (
            _parse_time(live.get("updated_at")) is None
        )

    def tampered(self, address: str, live: dict[str, Any]) -> str | None:
        """The live `updated_at` when it is newer than what the reconciler last wrote. A write
        the reconciler started but never saw answered may explain any later time: not tampering
        (the plan rewrites it instead)."""
        entry = self.entries.get(address)
        if entry is None or address in self.pending:
            return None
        return str(live["updated_at"]) if _changed_since(entry, live) else None

    def record(self, address: str, value: str, version: int | None, updated_at: Any) -> None:
        entry: dict[str, Any] = {
            "version": version,
            "updated_at": updated_at,
            "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        fp = self.fingerprint(address, value)
        if fp:
            entry["fingerprint"] = fp
        self._log({"op": "record", "address": address, "entry": entry})

    def intend(self, address: str) -> None:
        """Journaled before a write goes out: should the run die before its outcome is, the
        write shows as unconfirmed, never as someone else's edit."""
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._log({"op": "intend", "address": address, "at": at})

    def check_writable(self) -> None:
        """Fail before any write, not after all of them, when the ledger cannot be saved."""
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".")
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            raise ReconcilerError(
                f"cannot write the ledger {self.path}: {exc.strerror or type(exc).__name__}"
            ) from None

    def touch(self, address: str, updated_at: Any) -> None:
        """Our own write of an object's other fields moves its updated_at too: keep the
        fingerprint, take the new time, so it is not later mistaken for a hand edit."""
        self._log({"op": "touch", "address": address, "updated_at": updated_at})

    def _apply(self, op: dict[str, Any]) -> None:
        address = str(op.get("address"))
        with self._lock:
            if op.get("op") == "intend":
                self.pending[address] = str(op.get("at"))
                return
            self.pending.pop(address, None)
            if op.get("op") == "record" and isinstance(op.get("entry"), dict):
                self.entries[address] = dict(op["entry"])
            elif op.get("op") == "touch" and op.get("updated_at"):
                entry = self.entries.get(address)
                if entry is not None:
                    entry["updated_at"] = op["updated_at"]

    def _log(self, op: dict[str, Any]) -> None:
        """Apply one operation and append it to the journal, durably, before returning."""
        with self._file:
            self._apply(op)
            self._seq += 1
            line = json.dumps({**op, "seq": self._seq}) + "\n"
            created = not self.journal.exists()
            fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _sync_directory(self.path.parent)

    def save(self) -> None:
        """The ledger with the journal folded in, then the journal removed."""
        with self._file:
            self._write()
            try:
                self.journal.unlink()
            except FileNotFoundError:
                return
            _sync_directory(self.path.parent)

    def _write(self) -> None:
        with self._lock:
            data = {
                "format": FORMAT,
                "keyed": self.keyed,
                "note": "fingerprints are HMAC-SHA256 keyed by " + KEY_VARIABLE
                if self.keyed
                else f"no {KEY_VARIABLE} was set: only versions and times are kept",
            }
            if self._key is not None:
                data["key_check"] = _hmac(self._key, KEY_CHECK)
            data["entries"] = dict(sorted(self.entries.items()))
            if self.pending:
                data["pending"] = dict(sorted(self.pending.items()))
            data["seq"] = self._seq
        _atomic_write(self.path, json.dumps(data, indent=2) + "\n")


def _atomic_write(path: Path, text: str) -> None:
    """Replace `path` whole or not at all, durably: a unique temporary name (two writers never
    share one), fsync of the file before the rename and of the directory after it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make a rename, a creation or a removal in `directory` survive a power cut."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    except OSError:  # some file systems cannot sync a directory; the change still happened
        pass
    finally:
        os.close(dir_fd)
