"""Signals that stop a run: SIGTERM (a cancelled CI job) and Ctrl-C unwind as
KeyboardInterrupt, so apply reports what finished and ledgers are saved on the way out."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any


def interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


_default_unraisable = sys.unraisablehook


def unraisable(args: Any) -> None:
    """An interrupt that landed where Python cannot raise it (an import lock's cleanup, a
    weakref callback) would be printed with a traceback and lost: deliver it again, as
    SIGINT, where the main thread can raise it."""
    if args.exc_type is KeyboardInterrupt:
        # A moment later, from another thread, so that it arrives once this hook (whose own
        # exceptions Python ignores too) has returned.
        again = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT))
        again.daemon = True
        again.start()
        return
    _default_unraisable(args)


def install() -> None:
    """From the main thread, before the command runs."""
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    sys.unraisablehook = unraisable
