"""Where CircleCI lives and how to authenticate; read once from flags and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.errors import AuthError, ReconcilerError

DEFAULT_HOST = "https://circleci.com"
TOKEN_VARIABLES = ("CIRCLECI_TOKEN", "CIRCLE_TOKEN")


class MissingToken(AuthError):
    """No token configured: an AuthError raised before any request, so it has no HTTP status."""

    status = None  # type: ignore[assignment]  # nothing was sent, so no HTTP status


@dataclass(frozen=True)
class ClientConfig:
    """Connection settings. The token is kept out of repr, str and comparisons."""

    host: str = DEFAULT_HOST
    token: str | None = field(default=None, repr=False, compare=False)
    concurrency: int = 8
    timeout: float = 30.0
    max_retry_wait: float = 120.0
    # CA certificates to trust (PEM file or directory) instead of the system's, for a server
    # install or a proxy with its own CA; passed to requests as `verify`.
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        host = self.host.strip().rstrip("/")
        if "://" not in host:
            host = "https://" + host  # CircleCI server installs are often given as a bare name
        if not host.startswith(("http://", "https://")):
            raise ReconcilerError(f"CircleCI host must be an http(s) URL, got {self.host!r}")
        object.__setattr__(self, "host", host)
        if self.concurrency < 1:
            raise ReconcilerError("concurrency must be at least 1")
        if self.timeout <= 0 or self.max_retry_wait < 0:
            raise ReconcilerError("timeout must be positive and max_retry_wait not negative")

    def __repr__(self) -> str:
        shown = "<set>" if self.token else "<unset>"
        return (
            f"ClientConfig(host={self.host!r}, token={shown}, concurrency={self.concurrency}, "
            f"timeout={self.timeout}, max_retry_wait={self.max_retry_wait}, "
            f"ca_bundle={self.ca_bundle!r})"
        )

    __str__ = __repr__

    def base_url(self, api: str) -> str:
        """`v2` or `v1.1`: the API root under the host."""
        if api not in ("v2", "v1.1"):
            raise ValueError(f"unknown API version {api!r}")
        return f"{self.host}/api/{api}"

    def require_token(self) -> str:
        if not self.token:
            raise MissingToken(missing_token_message())
        return self.token

    @classmethod
    def from_env(
        cls,
        host: str | None = None,
        concurrency: int = 8,
        environ: Mapping[str, str] | None = None,
        ca_bundle: str | None = None,
    ) -> ClientConfig:
        """Host from the argument, else CIRCLECI_HOST, else circleci.com; token from
        CIRCLECI_TOKEN, then CIRCLE_TOKEN; CA bundle from the argument, else
        CIRCLECI_CA_BUNDLE. A missing token is an AuthError."""
        env = os.environ if environ is None else environ
        token = None
        for name in TOKEN_VARIABLES:
            value = env.get(name, "").strip()
            if value:
                token = value
                break
        if token is None:
            raise MissingToken(missing_token_message())
        chosen = host or env.get("CIRCLECI_HOST", "").strip() or DEFAULT_HOST
        bundle = ca_bundle or env.get("CIRCLECI_CA_BUNDLE", "").strip() or None
        return cls(host=chosen, token=token, concurrency=concurrency, ca_bundle=bundle)


def missing_token_message() -> str:
    names = " or ".join(TOKEN_VARIABLES)
    return f"no CircleCI API token: set {names} to a personal API token"
