"""Small pure helpers: ids, base58 slugs, timestamps, masks, fake SSH keys, slug parsing."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import uuid
from datetime import datetime, timedelta, timezone

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"  # Bitcoin alphabet
SHORT_VCS = {"gh": "gh", "github": "gh", "bb": "bb", "bitbucket": "bb", "circleci": "circleci"}
VCS_TYPE = {"gh": "github", "bb": "bitbucket", "circleci": "circleci"}  # short -> long


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def b58encode(raw: bytes) -> str:
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = B58[rem] + out
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * pad + out


def b58decode(text: str) -> bytes | None:
    n = 0
    for ch in text:
        if ch not in B58:
            return None
        n = n * 58 + B58.index(ch)
    pad = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * pad + body


def uuid_key(uid: str) -> str:
    """The opaque slug segment CircleCI gives standalone orgs/projects: base58 of the UUID bytes."""
    return b58encode(uuid.UUID(uid).bytes)


def key_uuid(key: str) -> str | None:
    raw = b58decode(key)
    if raw is None or len(raw) != 16:
        return None
    return str(uuid.UUID(bytes=raw))


class Clock:
    """ISO-8601 UTC timestamps that strictly increase, so `updated_at` always moves on a write."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            now = datetime.now(timezone.utc)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            if now <= self._last:
                now = self._last + timedelta(milliseconds=1)
            self._last = now
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def mask_env_value(value: str) -> str:
    """'xxxx' + the last min(4, len-2) ASCII characters (see README: fits both recorded
    masks; the spec says "the last four ASCII characters", so others are skipped)."""
    text = "".join(ch for ch in value if ch.isascii())
    shown = max(0, min(4, len(text) - 2))
    return "xxxx" + (text[-shown:] if shown else "")


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def new_ssh_key() -> tuple[str, str, str]:
    """A well-formed (not usable) ssh-rsa public key: (public key line, md5 fp, sha256 fp)."""
    modulus = b"\0" + bytes([0x80 | secrets.randbits(7)]) + secrets.token_bytes(255)
    blob = _ssh_string(b"ssh-rsa") + _ssh_string(b"\x01\x00\x01") + _ssh_string(modulus)
    md5 = hashlib.md5(blob).hexdigest()  # noqa: S324 - an SSH fingerprint, not a security hash
    md5_fp = ":".join(md5[i : i + 2] for i in range(0, 32, 2))
    sha = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    # Recorded v1.1 keys end with " \n"; both API versions return the same stored text.
    return f"ssh-rsa {base64.b64encode(blob).decode()} \n", md5_fp, f"SHA256:{sha}"


def split_slug(slug: str) -> tuple[str, str, str] | None:
    """'github/acme/api' -> ('gh', 'acme', 'api'); None when it is not a project slug."""
    parts = slug.split("/")
    if len(parts) != 3 or not all(parts) or parts[0] not in SHORT_VCS:
        return None
    return SHORT_VCS[parts[0]], parts[1], parts[2]


def org_slug(ref: str) -> str | None:
    """'github/acme' -> 'gh/acme'; None when it is not an org slug."""
    parts = ref.split("/")
    if len(parts) != 2 or not all(parts) or parts[0] not in SHORT_VCS:
        return None
    return f"{SHORT_VCS[parts[0]]}/{parts[1]}"
