"""How an exported manifest writes its secrets. CircleCI never returns a value, so by default
each secret variable is adopted (`NAME: {}`: it must exist, its value is managed elsewhere)
and a webhook's signing secret is left out (left alone). With `placeholders`, each value is
an `{env: NAME}` reference instead:
`<PROJECT>__<VAR>` for a project env var (`API__NPM_TOKEN`), `CTX_<CONTEXT>__<VAR>` for a
context's (`CTX_AWS_PROD__AWS_ACCESS_KEY_ID`), `<PROJECT>__WEBHOOK_<NAME>` for a webhook's
signing secret. Each part is upper-cased and sanitised to `[A-Z0-9_]`, which can make two
objects meet on one name (`my-api` and `my_api`); every name of such a clash then gets a
suffix from a hash of its object, so names stay stable from one export to the next.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from reconciler.manifest.names import RESERVED_ENV

_NOT_NAME = re.compile(r"[^A-Z0-9]+")


def part(text: str) -> str:
    """`aws-prod` -> `AWS_PROD`; never empty, never with `__` inside."""
    return _NOT_NAME.sub("_", text.upper()).strip("_") or "X"


@dataclass
class Ref:
    """A variable name, known once every placeholder of the export has been collected."""

    identity: str
    name: str = ""

    def __str__(self) -> str:
        return self.name


def _identity(*parts: str) -> str:
    return json.dumps(parts)


def _hashed(base: str, identity: str, length: int) -> str:
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:length].upper()
    return f"{base}_{digest}"


@dataclass
class Placeholders:
    """Collects (object, wanted name) pairs, then hands out unique variable names; or, when
    not `enabled`, counts the secrets adopted and left out."""

    enabled: bool = False
    adopted: int = 0  # variables written as `NAME: {}`
    left_out: int = 0  # signing secrets not written
    _wanted: dict[str, str] = field(default_factory=dict)  # identity -> base name
    _what: dict[str, str] = field(default_factory=dict)  # identity -> description
    _refs: list[Ref] = field(default_factory=list)

    def project_env_var(self, project: str, name: str, short: str = "") -> Ref:
        """`short`: the project's name where its slug's last part is an opaque key."""
        repo = short or project.rstrip("/").rsplit("/", 1)[-1]
        return self._add(
            _identity("project", project, "env_var", name),
            f"{part(repo)}__{part(name)}",
            f"project {project}, env var {name}",
        )

    def context_env_var(self, context: str, name: str) -> Ref:
        return self._add(
            _identity("context", context, "env_var", name),
            f"CTX_{part(context)}__{part(name)}",
            f"context {context}, env var {name}",
        )

    def webhook_secret(self, project: str, webhook: str, short: str = "") -> Ref:
        repo = short or project.rstrip("/").rsplit("/", 1)[-1]
        return self._add(
            _identity("project", project, "webhook", webhook),
            f"{part(repo)}__WEBHOOK_{part(webhook)}",
            f"project {project}, signing secret of webhook {webhook}",
        )

    def _add(self, identity: str, base: str, what: str) -> Ref:
        if base[0].isdigit():
            base = "_" + base  # a variable name cannot start with a digit
        self._wanted[identity] = base
        self._what[identity] = what
        ref = Ref(identity)
        self._refs.append(ref)
        return ref

    def resolve(self) -> list[tuple[str, str]]:
        """Name every Ref handed out: unique names, never one of the reconciler's own
        variables. Returns (variable, what it holds), sorted by variable."""
        by_base: dict[str, list[str]] = {}
        for identity, base in self._wanted.items():
            by_base.setdefault(base, []).append(identity)
        out: dict[str, str] = {}
        taken = set(RESERVED_ENV)
        for base, identities in sorted(by_base.items()):
            if len(identities) == 1 and base not in taken:
                out[identities[0]] = base
                taken.add(base)
        for base, identities in sorted(by_base.items()):
            for identity in sorted(i for i in identities if i not in out):
                length = 6
                name = _hashed(base, identity, length)
                while name in taken or name in self._wanted.values():
                    length += 2
                    name = _hashed(base, identity, length)
                out[identity] = name
                taken.add(name)
        for ref in self._refs:
            ref.name = out[ref.identity]
        return sorted((out[i], self._what[i]) for i in self._wanted)
