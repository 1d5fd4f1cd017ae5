"""SecretResolver: turns env var references into values, lazily, at plan/apply time."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import Problem, SecretError
from reconciler.manifest import names
from reconciler.manifest.builder import CONTROL
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.model import Manifest
from reconciler.manifest.positions import Position, quote
from reconciler.manifest.secret import Secret

MAX_FILE_BYTES = 1024 * 1024  # far above CircleCI's 32k-character limit for a value
MAX_VALUE_CHARS = 32 * 1024  # CircleCI's limit on an env var value

_UNKNOWN = Position("<manifest>", 1, 1)


class SecretResolver:
    """Resolves `{env: NAME}` from `environ` (default: the process environment) and
    `{file: PATH}` from disk. A file must be a regular file whose real path, symlinks
    followed, stays inside the directory of the manifest file that names it; it is read as
    UTF-8 and one trailing newline (`\\n` or `\\r\\n`) is dropped, as editors add one. Results
    are cached. Errors name the manifest position and the variable or path, never a value."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ if environ is not None else os.environ
        self._cache: dict[tuple[str, str], Secret] = {}
        self._lock = threading.Lock()

    def resolve(self, ref: EnvVar) -> Secret:
        """The value of `ref`; raises SecretError (one problem) when it cannot be had."""
        if ref.value is not None:
            return ref.value
        where = ref.origin or _UNKNOWN
        if ref.adopted:  # nothing asks for it: its value is never written
            raise SecretError([where.problem("declared without a value ({}): it is never written")])
        if ref.env is not None:
            # A reference that allows an empty value must not lend it to one that does not.
            key = ("env-or-empty" if ref.allow_empty else "env", ref.env)
        else:
            base = (ref.source_dir or Path.cwd()).resolve()
            target = os.path.realpath(base / (ref.file or ""))
            key = ("file", target)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        if ref.env is not None:
            value = self._from_env(ref.env, where, ref.allow_empty)
        else:
            value = self._from_file(ref.file or "", base, target, where)
        text = value.reveal()
        if len(text) > MAX_VALUE_CHARS:  # CircleCI refuses it: fail before any write
            raise SecretError(
                [where.problem(f"the value is longer than CircleCI's {MAX_VALUE_CHARS} characters")]
            )
        bad = CONTROL.search(text)
        if bad:  # named by code point only: the value is a secret
            source = f"environment variable {ref.env}" if ref.env else f"secret file {ref.file}"
            raise SecretError(
                [where.problem(f"{source} holds control character U+{ord(bad.group()):04X}")]
            )
        with self._lock:
            self._cache[key] = value
        return value

    def values(self) -> list[str]:
        """Every value read from the environment or a file so far (what output must never
        show, whichever request a server's answer happens to quote it in)."""
        with self._lock:
            return [s.reveal() for s in self._cache.values()]

    def resolve_all(self, manifest: Manifest, files_only: bool = False) -> None:
        """Resolve every reference of the manifest; raise one SecretError listing all failures.
        `files_only`: the `file:` references that exist, which `validate` can check offline (a
        link out of the manifest's directory, a file too large, not text, control characters);
        a missing one may be written by CI before plan, which reports it."""
        problems: list[Problem] = []
        for _path, ref in manifest.secret_refs():
            if ref.adopted:
                continue
            if files_only and (
                ref.file is None or not os.path.lexists((ref.source_dir or Path.cwd()) / ref.file)
            ):
                continue
            try:
                self.resolve(ref)
            except SecretError as exc:
                problems += exc.problems
        if problems:
            raise SecretError(problems)

    def _from_env(self, name: str, where: Position, allow_empty: bool = False) -> Secret:
        if name in names.RESERVED_ENV:
            raise SecretError(
                [where.problem(f"{name} is the reconciler's own credential and may not be copied")]
            )
        value = self._environ.get(name)
        if value is None:
            raise SecretError([where.problem(f"environment variable {name} is not set")])
        if not value and not allow_empty:  # mostly a variable the CI job was not given
            raise SecretError(
                [
                    where.problem(
                        f"environment variable {name} is empty; if an empty value is meant, "
                        f"write {{env: {name}, allow_empty: true}}"
                    )
                ]
            )
        return Secret(value)

    def _from_file(self, shown: str, base: Path, target: str, where: Position) -> Secret:
        def fail(why: str) -> SecretError:
            return SecretError([where.problem(f"secret file {quote(shown)} {why}")])

        if os.path.commonpath([str(base), target]) != str(base):
            raise fail(f"resolves outside the manifest's directory {base}")
        # Opened without following a link swapped in since the check and without blocking on
        # a FIFO; what was opened is then checked, so the check and the read see one file.
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(target, flags)
        except FileNotFoundError:
            raise fail(f"not found (looked for {target})") from None
        except OSError as exc:
            raise fail(f"cannot be read: {exc.strerror}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise fail("is not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                raise fail(f"is larger than {MAX_FILE_BYTES // 1024} KiB")
            raw = b""
            while len(raw) <= MAX_FILE_BYTES:
                chunk = os.read(fd, MAX_FILE_BYTES + 1 - len(raw))
                if not chunk:
                    break
                raw += chunk
        except OSError as exc:
            raise fail(f"cannot be read: {exc.strerror}") from None
        finally:
            os.close(fd)
        if len(raw) > MAX_FILE_BYTES:
            raise fail(f"is larger than {MAX_FILE_BYTES // 1024} KiB")
        try:
            text = raw.decode("utf-8").removeprefix("\ufeff")  # an editor's byte-order mark
        except UnicodeDecodeError:
            raise fail("is not UTF-8 text") from None
        if text.endswith("\r\n"):
            text = text[:-2]
        elif text.endswith("\n"):
            text = text[:-1]
        return Secret(text)
