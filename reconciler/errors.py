"""One exception tree. The CLI maps it to exit codes and clean, secret-free messages."""

from __future__ import annotations

from dataclasses import dataclass


class ReconcilerError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a manifest, at an exact position (1-based line and column)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class ManifestError(ReconcilerError):
    """A manifest is invalid; carries every problem found, sorted by position."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = sorted(problems)
        # How many problems there are in all, when only the first ones are listed.
        self.total = total if total is not None else len(self.problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SecretError(ManifestError):
    """A secret reference could not be resolved (missing variable or file, refused path)."""


class ApiError(ReconcilerError):
    """CircleCI answered with an error, or could not be reached.

    The message is CircleCI's own text (never a request body), so it cannot carry a secret.
    """

    status: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        self.api_message = message
        if status is not None:
            self.status = status
        self.method = method
        self.path = path
        where = f"{method} {path}: " if method else ""
        code = f"HTTP {self.status}: " if self.status is not None else ""
        super().__init__(f"{where}{code}{message}")


class BadRequest(ApiError):
    status = 400


class AuthError(ApiError):
    status = 401


class PermissionDenied(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class RateLimited(ApiError):
    status = 429


class ServerError(ApiError):
    status = 500


class TransportError(ApiError):
    """No answer: timeout or dropped connection. For a write, whether it took effect is unknown."""


class PaginationError(ApiError):
    """A list could not be read to its end (repeated page token, too many pages)."""


class UnsafePlan(ReconcilerError):
    """A plan breaks a safety rule (too many deletions, too many updates, protected object)."""


class StalePlan(ReconcilerError):
    """A saved plan no longer matches the live state it was made from."""
