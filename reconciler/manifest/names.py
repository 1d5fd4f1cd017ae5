"""CircleCI's naming rules: organization and project slugs, context and env var names, globs."""

from __future__ import annotations

import fnmatch
import re
import uuid

from reconciler.manifest.positions import quote

_VCS = {"gh": "gh", "github": "gh", "bb": "bb", "bitbucket": "bb"}
_NAME = r"[A-Za-z0-9_][A-Za-z0-9._-]*"  # GitHub/Bitbucket org and repo names
_KEY = r"[1-9A-HJ-NP-Za-km-z]+"  # standalone (circleci/...) keys: base58, Bitcoin alphabet
_ORG = re.compile(rf"(?P<vcs>gh|github|bb|bitbucket)/(?P<org>{_NAME})\Z|circleci/(?P<key>{_KEY})\Z")
_PROJECT = re.compile(
    rf"(?P<vcs>gh|github|bb|bitbucket)/(?P<org>{_NAME})/(?P<repo>{_NAME})\Z"
    rf"|circleci/(?P<key>{_KEY})/(?P<pkey>{_KEY})\Z"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
ENV_NAME_MAX = 300
CONTEXT_NAME_MAX = 200
# The reconciler's own credentials: a manifest may not copy them into CircleCI.
RESERVED_ENV = frozenset(
    {
        "CIRCLECI_TOKEN",
        "CIRCLE_TOKEN",
        "CIRCLECI_RECONCILER_LEDGER_KEY",
        "CIRCLECI_RECONCILER_OLD_LEDGER_KEY",
    }
)

ORG_FORMS = (
    "gh/NAME, github/NAME, bb/NAME, bitbucket/NAME, circleci/ORG-KEY or an organization UUID"
)
PROJECT_FORMS = (
    "gh/ORG/REPO, github/ORG/REPO, bb/ORG/REPO, bitbucket/ORG/REPO or circleci/ORG-KEY/PROJECT-KEY"
)
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def normalise_org(slug: str) -> str | None:
    """The organization in CircleCI's short form (`github/x` -> `gh/x`), or None if invalid."""
    if _UUID.match(slug):
        return slug.lower()
    m = _ORG.match(slug)
    if not m:
        return None
    if m["key"]:
        return slug
    return f"{_VCS[m['vcs']]}/{m['org']}"


def normalise_project(slug: str) -> str | None:
    """The project slug in CircleCI's short form (the form the API answers with), or None."""
    m = _PROJECT.match(slug)
    if not m:
        return None
    if m["key"]:
        return slug
    return f"{_VCS[m['vcs']]}/{m['org']}/{m['repo']}"


def base58_of_uuid(value: str) -> str:
    """The key CircleCI derives from an organization or project UUID: base58 of its 16 bytes,
    a `1` for each leading zero byte (mr-tron/base58, which CircleCI's fakes use)."""
    raw = uuid.UUID(value).bytes
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return _B58[0] * (len(raw) - len(raw.lstrip(b"\0"))) + out


def project_org(project: str) -> str:
    """The organization part of a normalised project slug: `gh/acme/api` -> `gh/acme`."""
    return project.rsplit("/", 1)[0]


def same_org(project: str, org: str) -> bool:
    """Whether a normalised project slug belongs to a normalised organization. GitHub and
    Bitbucket names ignore case. For an organization given by UUID only standalone project
    keys can be checked offline; classic slugs are accepted."""
    if _UUID.match(org):
        return not project.startswith("circleci/") or project.split("/")[1] == base58_of_uuid(org)
    mine = project_org(project)
    if org.startswith("circleci/"):
        return mine == org
    return mine.lower() == org.lower()


def fold_project(project: str) -> str:
    """A key under which two spellings of the same project collide (case, for gh and bb)."""
    return project if project.startswith("circleci/") else project.lower()


def context_name_problem(name: str) -> str | None:
    if not name.strip():
        return "context name is blank"
    if len(name) > CONTEXT_NAME_MAX:
        return f"context name is longer than {CONTEXT_NAME_MAX} characters"
    if name != name.strip():
        return f"context name {quote(name)} starts or ends with whitespace"
    if any(c in name for c in "\n\r\v\f\x85\u2028\u2029"):
        return f"context name {quote(name)} contains a line break"
    return None


def env_name_problem(name: str) -> str | None:
    if len(name) > ENV_NAME_MAX:
        return f"env var name is longer than {ENV_NAME_MAX} characters"
    if not ENV_NAME.match(name):
        return (
            f"{quote(name)} is not a valid env var name: use letters, digits and underscores, "
            "not starting with a digit"
        )
    return None


def glob_problem(pattern: str) -> str | None:
    """Globs are shell-style (fnmatch): `*`, `?`, `[abc]`, `[!abc]`; matching is case-sensitive."""
    if not pattern.strip():
        return "empty glob"
    i = 0
    while i < len(pattern):
        if pattern[i] == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] == "!":
                j += 1
            if j < len(pattern) and pattern[j] == "]":  # a leading ] is a literal member
                j += 1
            close = pattern.find("]", j)
            if close < 0:
                return f"glob {quote(pattern)} has a '[' without its closing ']'"
            i = close
        i += 1
    try:
        re.compile(fnmatch.translate(pattern))
    except re.error:
        return f"glob {quote(pattern)} is not a valid pattern"
    return None


def glob_match(patterns: list[str], name: str) -> bool:
    # A pattern also matches the name written exactly as it is (brackets included).
    return any(name == p or fnmatch.fnmatchcase(name, p) for p in patterns)
