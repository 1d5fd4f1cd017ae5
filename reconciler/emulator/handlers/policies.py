"""Config policies (Policy Management): the policy bundle of an organization, its documents
and the decision settings. Errors answer `{"error": ...}`, the family these routes use.

A bundle upload is `{"policies": {file name: rego}}`; each file names its policy with its
first rule (`policy_name["name"]`), and the bundle is stored by those names. The Rego check
is a subset of CircleCI's parser (see `rego_problems`): package, balanced brackets, the
policy_name rule and its naming rules, names unique; whatever it accepts CircleCI may still
refuse, never the other way round for these checks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from reconciler.emulator.handlers import features
from reconciler.emulator.http import Ctx, Reply, Route, SeedKey
from reconciler.emulator.util import is_uuid
from reconciler.emulator.world import Record, World

FEATURE = "config_policies"
features.register(FEATURE)
CONTEXTS = {"config"}  # the policy contexts CircleCI serves (the CLI's default)
MAX_BUNDLE = 2_621_440  # ~2.5 MiB, the spec's limit on a bundle upload
NAME = re.compile(r"^\w+$")
NAME_MAX = 80
# Our choice where no recording exists (README): the plan-gated refusal.
NOT_AVAILABLE = "config policies are not available for this organization's plan"


class Refused(Exception):
    """An answer in these routes' error shape: `{"error": message}`."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


def answering(fn: Callable[..., Reply]) -> Callable[..., Reply]:
    def handler(ctx: Ctx, **args: str) -> Reply:
        try:
            return fn(ctx, **args)
        except Refused as exc:
            return Reply(exc.status, {"error": exc.error})

    handler.error_key = "error"  # type: ignore[attr-defined]  # read by app.py's 500s
    return handler


# ---- the seed --------------------------------------------------------------------------


def load_config_policies(world: World, org: Record, value: Any, where: str) -> None:
    if not isinstance(value, dict) or set(value) - {"enabled", "policies"}:
        raise ValueError("a mapping with 'enabled' and 'policies' only")
    enabled = value.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ValueError("'enabled' must be true or false")
    policies = value.get("policies") or {}
    if not isinstance(policies, dict) or not all(isinstance(v, str) for v in policies.values()):
        raise ValueError("'policies' maps policy names to Rego text")
    for key, rego in policies.items():
        if set(_parsed({f"{key}.rego": rego})) != {key}:
            raise ValueError(f"policy {key}: its policy_name rule names another policy")
    settings(world, org)["enabled"] = enabled
    _store(world, org, dict(policies), "system")


# ---- records ---------------------------------------------------------------------------


def settings(world: World, org: Record) -> Record:
    return world.table("decision_settings").setdefault(org["id"], {"enabled": False})


def bundle(world: World, org: Record) -> dict[str, Record]:
    found: dict[str, Record] = world.table("policy_bundles").setdefault(org["id"], {})
    return found


def _store(world: World, org: Record, named: dict[str, str], user: str) -> None:
    old, now = bundle(world, org), world.clock.now()
    new = {
        name: (
            old[name]
            if name in old and old[name]["content"] == rego
            else {"content": rego, "created_at": now, "created_by": user}
        )
        for name, rego in named.items()
    }
    world.table("policy_bundles")[org["id"]] = new


def _doc(name: str, record: Record) -> dict[str, Any]:
    return {
        "name": name,
        "content": record["content"],
        "created_at": record["created_at"],
        "created_by": record["created_by"],
    }


# ---- the Rego subset ---------------------------------------------------------------------


def _code(rego: str) -> list[tuple[int, str]]:
    """(line number, text) of each line with comments and string contents blanked."""
    out = []
    for number, line in enumerate(rego.splitlines(), 1):
        text, quoted, i = "", "", 0
        while i < len(line):
            ch = line[i]
            if quoted:
                if ch == "\\":
                    i += 1
                elif ch == quoted:
                    quoted = ""
                    text += ch
                i += 1
                continue
            if ch == "#":
                break
            if ch in '"`':
                quoted = ch
            text += ch
            i += 1
        out.append((number, text))
    return out


def _balanced(file: str, rego: str) -> str | None:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for number, text in _code(rego):
        for ch in text:
            if ch in "([{":
                stack.append((ch, number))
            elif ch in pairs:
                if not stack or stack[-1][0] != pairs[ch]:
                    return f"{file}:{number}: rego_parse_error: unexpected {ch} token"
                stack.pop()
    if stack:
        return f"{file}:{stack[-1][1]}: rego_parse_error: unexpected eof token"
    return None


STRING = r'"(?:[^"\\]|\\.)*"'
POLICY_NAME = re.compile(rf"^policy_name\s*(?:\[\s*({STRING})\s*\]|contains\s+({STRING}))")


def _policy_name(rego: str) -> str:
    """The name the first rule declares; ValueError worded as CircleCI words it."""
    statements = [
        (n, raw)
        for (n, text), raw in zip(_code(rego), rego.splitlines(), strict=True)
        if text.strip()
    ]
    rules = [
        (n, raw.strip())
        for n, raw in statements
        if not re.match(r"\s*(package|import)\b", raw) and not raw.strip().startswith("}")
    ]
    if not rules:
        raise ValueError('must declare rule "policy_name" but module contains no rules')
    match = POLICY_NAME.match(rules[0][1])
    if match is None:
        head = re.match(r"[\w.]+", rules[0][1])
        found = head.group(0) if head else rules[0][1][:20]
        raise ValueError(f'first rule declaration must be "policy_name" but found "{found}"')
    name = json.loads(match.group(1) or match.group(2))
    if not name:
        raise ValueError("policy_name must not be empty")
    if len(name) > NAME_MAX:
        raise ValueError(f"policy_name must be maximum {NAME_MAX} characters but got {len(name)}")
    if not NAME.match(name):
        raise ValueError('"policy_name" must use alphanumeric and underscore characters only')
    return str(name)


def _joined(errors: list[str]) -> str:
    if len(errors) == 1:
        return errors[0]
    return f"{len(errors)} error(s) occurred: {'; '.join(errors)}"


def rego_problems(files: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """Policy name -> rego of a bundle, or the error CircleCI answers it with."""
    named: dict[str, str] = {}
    counts: dict[str, int] = {}
    parse: list[str] = []
    packages: list[str] = []
    for file in sorted(files):
        rego = files[file]
        code = [(n, t) for n, t in _code(rego) if t.strip()]
        head = re.match(r"\s*package\s+([\w.]+)\s*$", code[0][1]) if code else None
        broken = _balanced(file, rego)
        if head is None:
            line = code[0][0] if code else 1
            parse.append(
                f'failed to parse file "{file}": {file}:{line}: rego_parse_error: package expected'
            )
            continue
        if broken:
            parse.append(f'failed to parse file "{file}": {broken}')
            continue
        try:
            name = _policy_name(rego)
        except ValueError as exc:
            parse.append(f'failed to parse file: "{file}": {exc}')
            continue
        counts[name] = counts.get(name, 0) + 1
        named[name] = rego
        if head.group(1) != "org":
            packages.append(
                f'lint error: "{file}": invalid package name: expected one of packages [org] '
                f'but got "package {head.group(1)}"'
            )
    if parse:
        return {}, f"failed to parse policy file(s): {_joined(parse)}"
    twice = [f'policy "{n}" declared {c} times' for n, c in sorted(counts.items()) if c > 1]
    if twice:
        return {}, f"failed to parse bundle: {_joined(twice)}"
    if packages:
        return {}, f"failed policy linting: {_joined(packages)}"
    return named, None


def _parsed(files: dict[str, str]) -> dict[str, str]:
    named, error = rego_problems(files)
    if error is not None:
        raise ValueError(error)
    return named


# ---- routes ------------------------------------------------------------------------------


def _owner(ctx: Ctx, owner_id: str, context: str) -> Record:
    if not is_uuid(owner_id):
        raise Refused(400, "OwnerID: must be a valid UUID.")
    if context not in CONTEXTS:
        raise Refused(400, "context: must be a valid value.")
    org = ctx.world.organizations.get(owner_id.lower())
    if org is None or not ctx.member_of(org["id"]):
        raise Refused(403, "Forbidden")
    if not features.available(org, FEATURE):
        raise Refused(403, NOT_AVAILABLE)
    return org


def _object(ctx: Ctx) -> dict[str, Any]:
    try:
        data = json.loads(ctx.request.get_data(cache=True) or b"null")
    except ValueError:
        raise Refused(400, "invalid json body") from None
    if not isinstance(data, dict):
        raise Refused(400, "invalid json body")
    return data


@answering
def get_bundle(ctx: Ctx, owner_id: str, context: str) -> Reply:
    org = _owner(ctx, owner_id, context)
    stored = bundle(ctx.world, org)
    return Reply(200, {name: [_doc(name, r)] for name, r in sorted(stored.items())})


@answering
def get_policy(ctx: Ctx, owner_id: str, context: str, name: str) -> Reply:
    org = _owner(ctx, owner_id, context)
    found = bundle(ctx.world, org).get(name)
    if found is None:
        raise Refused(404, "policy not found")
    return Reply(200, _doc(name, found))


@answering
def post_bundle(ctx: Ctx, owner_id: str, context: str) -> Reply:
    org = _owner(ctx, owner_id, context)
    dry = ctx.request.args.get("dry", "false")
    if dry not in ("true", "false"):
        raise Refused(400, "dry: must be a valid boolean.")
    if len(ctx.request.get_data(cache=True)) > MAX_BUNDLE:
        raise Refused(413, "http: request payload too large")
    data = _object(ctx)
    files = data.get("policies", {})
    if set(data) - {"policies"} or not isinstance(files, dict):
        raise Refused(400, "invalid json body")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise Refused(400, "invalid json body")
    named, error = rego_problems(files)
    if error is not None:
        raise Refused(400, error)
    old = bundle(ctx.world, org)
    diff = {
        "created": sorted(set(named) - set(old)),
        "deleted": sorted(set(old) - set(named)),
        "modified": sorted(n for n in set(named) & set(old) if old[n]["content"] != named[n]),
    }
    if dry == "true":
        return Reply(200, diff)
    _store(ctx.world, org, named, ctx.user["id"])
    return Reply(201, diff)


@answering
def get_settings(ctx: Ctx, owner_id: str, context: str) -> Reply:
    return Reply(200, dict(settings(ctx.world, _owner(ctx, owner_id, context))))


@answering
def patch_settings(ctx: Ctx, owner_id: str, context: str) -> Reply:
    org = _owner(ctx, owner_id, context)
    data = _object(ctx)
    unknown = sorted(set(data) - {"enabled"})
    if unknown:
        raise Refused(400, f"unknown field: {unknown[0]}")
    if "enabled" in data and not isinstance(data["enabled"], bool):
        raise Refused(400, "enabled: must be a boolean.")
    found = settings(ctx.world, org)
    found.update(data)
    return Reply(200, dict(found))


BASE = "/v2/owner/<owner_id>/context/<context>"
ROUTES: list[Route] = [
    (f"{BASE}/policy-bundle", "GET", get_bundle),
    (f"{BASE}/policy-bundle", "POST", post_bundle),
    (f"{BASE}/policy-bundle/<name>", "GET", get_policy),
    (f"{BASE}/decision/settings", "GET", get_settings),
    (f"{BASE}/decision/settings", "PATCH", patch_settings),
]

SEED_KEYS = [SeedKey(level="organization", key="config_policies", load=load_config_policies)]
