"""Project and organization slugs as each route family wants them in the URL."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from reconciler.errors import ReconcilerError

_LONG_VCS = {"gh": "github", "bb": "bitbucket"}
_SHORT_VCS = {long: short for short, long in _LONG_VCS.items()}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What GitHub, Bitbucket and CircleCI's own (base58) slugs are made of.
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _valid_part(part: str) -> bool:
    """A name that stays one path segment: `.` and `..` would be collapsed by URL
    normalisation (gh/acme/../../me reads /me); nothing else needs escaping."""
    return bool(_NAME.match(part)) and part not in (".", "..")


def split_project(slug: str) -> tuple[str, str, str]:
    parts = slug.strip("/").split("/")
    if len(parts) != 3 or not all(_valid_part(p) for p in parts):
        raise ReconcilerError(f"not a project slug (vcs/org/repo): {slug!r}")
    return parts[0], parts[1], parts[2]


def check_path(path: str) -> str:
    """Every path sent, however built: no segment may climb (`..`, also %-encoded, or inside
    an escaped slug) or carry a control character, so an id or name read from the API or
    given on the command line cannot point a request at another route."""
    for segment in unquote(path).split("/")[1:]:
        if segment in (".", "..") or _CONTROL.search(segment):
            raise ReconcilerError(f"refusing a request path with a {segment!r} segment")
    return path


def escaped(slug: str) -> str:
    """`{project-slug}` routes take the whole slug as one escaped segment: gh%2Facme%2Fapi."""
    split_project(slug)
    return quote(slug.strip("/"), safe="")


def segments(slug: str) -> str:
    """Settings routes need three real path segments; an escaped slug gets a 404 there."""
    return "/".join(quote(part, safe="") for part in split_project(slug))


def v1_project(slug: str) -> str:
    """v1.1 routes take the long vcs form: github/acme/api."""
    vcs, org, repo = split_project(slug)
    return "/".join(quote(p, safe="") for p in (_LONG_VCS.get(vcs, vcs), org, repo))


def org_path(slug_or_id: str) -> str:
    """`{org-slug-or-id}`: a UUID, or the slug's two segments kept as real path segments."""
    value = slug_or_id.strip("/")
    parts = value.split("/")
    if not is_uuid(value) and (len(parts) != 2 or not all(_valid_part(p) for p in parts)):
        raise ReconcilerError(f"not an organization slug (vcs/name) or id: {slug_or_id!r}")
    return "/".join(quote(p, safe="") for p in parts)


def same_org(a: str, b: str) -> bool:
    """gh/acme and github/acme name the same organization; names compare case-insensitively."""

    def norm(slug: str) -> str:
        vcs, _, rest = slug.strip("/").partition("/")
        return f"{_SHORT_VCS.get(vcs.lower(), vcs.lower())}/{rest.lower()}"

    return norm(a) == norm(b)
