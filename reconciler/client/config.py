"""Where CircleCI lives and how to authenticate; read once from flags and the environment."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from reconciler.errors import AuthError, ReconcilerError

DEFAULT_HOST = "https://circleci.com"
TOKEN_VARIABLES = ("CIRCLECI_TOKEN", "CIRCLE_TOKEN")
ALLOW_HTTP_VARIABLE = "CIRCLECI_ALLOW_HTTP"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class MissingToken(AuthError):
    """No usable token: an AuthError raised before any request, so it has no HTTP status."""

    status = None  # type: ignore[assignment]  # nothing was sent, so no HTTP status


def is_loopback(hostname: str) -> bool:
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def check_host(value: str, allow_http: bool = False) -> str:
    """`https://name[:port]` as the API root, or plain http to a loopback address (or with
    `allow_http`). The token is sent to this host, so anything that could send it elsewhere
    or in clear is refused: user info (`user@` routes the request to the name after the `@`),
    a query, a fragment, a path, control characters. A refusal never repeats the value,
    which may hold a password."""
    text = value.strip()
    if not text or _CONTROL.search(text) or " " in text:
        raise ReconcilerError("the CircleCI host is empty or has spaces or control characters")
    url = urlsplit(text if "://" in text else "https://" + text)
    try:
        hostname, _port = url.hostname, url.port
    except ValueError:
        hostname = None
    if "@" in url.netloc:
        raise ReconcilerError(
            "the CircleCI host must not hold a user name or password (user@host sends the "
            "request, and the token, to the host after the @); give the token in CIRCLECI_TOKEN"
        )
    shown = f"{url.scheme}://{url.netloc}" if url.scheme in ("http", "https") else "it"
    if url.scheme not in ("http", "https") or not hostname:
        raise ReconcilerError(
            "the CircleCI host must be an https URL such as https://circleci.com "
            "(from --host or CIRCLECI_HOST)"
        )
    if url.query or url.fragment or "?" in text or "#" in text or url.path.strip("/"):
        raise ReconcilerError(
            f"the CircleCI host must be a bare URL such as {shown}, without a path (such as "
            "/api), query or fragment (from --host or CIRCLECI_HOST)"
        )
    if url.scheme == "http" and not allow_http and not is_loopback(hostname):
        raise ReconcilerError(
            f"{shown} is plain http: the token would cross the network unencrypted. Use "
            f"https, or pass --allow-http ({ALLOW_HTTP_VARIABLE}=1) if you must"
        )
    return f"{url.scheme}://{url.netloc}"


def check_token(token: str, where: str = "the token") -> str:
    """A token is sent as a header: refuse what a header cannot carry before any request,
    rather than fail late and misleadingly (a newline reads as a dropped connection)."""
    if _CONTROL.search(token):
        raise MissingToken(f"{where} holds a newline or control character: copy it again")
    try:
        token.encode("latin-1")
    except UnicodeEncodeError:
        raise MissingToken(f"{where} holds a character an HTTP header cannot carry") from None
    return token


@dataclass(frozen=True)
class ClientConfig:
    """Connection settings. The token is kept out of repr, str and comparisons."""

    host: str = DEFAULT_HOST
    token: str | None = field(default=None, repr=False, compare=False)
    concurrency: int = 8
    timeout: float = 30.0
    max_retry_wait: float = 120.0
    # Plain http to a host that is not loopback: only when the user asks (the CLI warns).
    allow_http: bool = False
    # CA certificates to trust (PEM file or directory) instead of the system's, for a server
    # install or a proxy with its own CA; passed to requests as `verify`.
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        # A bare name means https, as CircleCI server installs are often given.
        object.__setattr__(self, "host", check_host(self.host, self.allow_http))
        if self.token is not None:
            check_token(self.token)
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

    @property
    def in_clear(self) -> bool:
        """Whether the token crosses the network unencrypted (plain http off loopback, only
        with allow_http): the command line warns."""
        url = urlsplit(self.host)
        return url.scheme == "http" and not is_loopback(url.hostname or "")

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
        allow_http: bool = False,
        ca_bundle: str | None = None,
    ) -> ClientConfig:
        """Host from the argument, else CIRCLECI_HOST, else circleci.com; token from
        CIRCLECI_TOKEN, then CIRCLE_TOKEN; CA bundle from the argument, else
        CIRCLECI_CA_BUNDLE. A missing or malformed token is an AuthError."""
        env = os.environ if environ is None else environ
        token = None
        for name in TOKEN_VARIABLES:
            value = env.get(name, "").strip()
            if value:
                token = check_token(value, f"the token in {name}")
                break
        if token is None:
            raise MissingToken(missing_token_message())
        chosen = host or env.get("CIRCLECI_HOST", "").strip() or DEFAULT_HOST
        allow = allow_http or env.get(ALLOW_HTTP_VARIABLE, "").strip() in ("1", "true", "yes")
        bundle = ca_bundle or env.get("CIRCLECI_CA_BUNDLE", "").strip() or None
        return cls(
            host=chosen, token=token, concurrency=concurrency, allow_http=allow, ca_bundle=bundle
        )


def missing_token_message() -> str:
    names = " or ".join(TOKEN_VARIABLES)
    return f"no CircleCI API token: set {names} to a personal API token"
