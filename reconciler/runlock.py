"""One apply at a time per manifest and ledger, on this machine.

Two applies planning at once both see an object missing and both create it; two saving one
ledger each overwrite the other's records. The lock is an advisory `flock` on the directories
of the manifest files and of the ledger: the kernel drops it when the holder exits, however it
exits (a SIGKILLed run leaves no stale lock behind), and no lock file is left in the tree.
Applies on different machines (CI runners) are not covered: serialise those in CI.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from reconciler.errors import ReconcilerError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; there the lock is a no-op
    fcntl = None  # type: ignore[assignment]


class Locked(ReconcilerError):
    """Another apply holds the lock."""


def _directories(paths: Iterable[Path]) -> list[str]:
    found = set()
    for path in paths:
        target = path if path.is_dir() else path.parent
        found.add(os.path.realpath(target))
    return sorted(found)  # one order for every process: no two runs wait on each other crosswise


@contextlib.contextmanager
def apply_lock(paths: Iterable[Path]) -> Iterator[None]:
    """Hold an exclusive lock on the directory of each path until the block ends; fail at
    once, naming the directory, when another process holds one of them."""
    held: list[int] = []
    try:
        for directory in _directories(paths):
            fd = os.open(directory, os.O_RDONLY)
            held.append(fd)
            if fcntl is None:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Locked(
                    f"another apply is running on {directory} (it holds the lock): wait for it "
                    "to finish, then run apply again. In CI, let only one job apply at a time."
                ) from None
        yield
    finally:
        for fd in held:
            os.close(fd)  # closing the descriptor releases its lock
