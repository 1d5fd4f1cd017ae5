"""The policy bundle as the repository holds it: every `*.rego` file under a directory, at
any depth (as `circleci policy push` uploads a directory), keyed by its path relative to
that directory. CircleCI names each policy by the file's first rule, `policy_name["NAME"]`
(or `policy_name contains "NAME"` in Rego v1), so the names are read here the same way; a
file without one is refused offline, as CircleCI would refuse the bundle."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# CircleCI refuses a bundle upload above about 2.5 MiB (413).
MAX_BUNDLE_BYTES = 2_621_440
NAME_MAX = 80
_NAME = re.compile(r"^\w+$")
_STRING = r'"(?:[^"\\]|\\.)*"'
_POLICY_NAME = re.compile(rf"^policy_name\s*(?:\[\s*({_STRING})\s*\]|contains\s+({_STRING}))")
_HEADER = re.compile(r"^\s*(package|import)\b")


def digest(content: str) -> str:
    """What a plan compares and shows of a policy's text: the first 16 hex digits of its
    SHA-256 (64 bits tell an edit apart; the whole digest would not fit a plan's line)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class PolicyFile:
    path: str  # relative to the policy directory, with forward slashes
    name: str  # the policy name its policy_name rule declares
    content: str


@dataclass
class LocalBundle:
    """What one policy directory holds, or why it cannot be uploaded."""

    directory: Path
    shown: str  # the directory as the manifest writes it
    files: list[PolicyFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def by_name(self) -> dict[str, PolicyFile]:
        return {f.name: f for f in self.files}

    def upload(self) -> dict[str, str]:
        """The body's `policies` map: file path -> Rego text."""
        return {f.path: f.content for f in self.files}


def policy_name(content: str) -> str | None:
    """The name the first rule declares (after the package and imports), or None."""
    for raw in content.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or _HEADER.match(line):
            continue
        match = _POLICY_NAME.match(line)
        if match is None:
            return None
        try:
            name = json.loads(match.group(1) or match.group(2))
        except ValueError:
            return None
        return name if isinstance(name, str) else None
    return None


def _name_problem(path: str, name: str | None) -> str | None:
    if name is None:
        return (
            f'{path}: its first rule must be policy_name["NAME"] (CircleCI names each policy by it)'
        )
    if not _NAME.match(name) or len(name) > NAME_MAX:
        return (
            f"{path}: policy_name {name!r} must be 1 to {NAME_MAX} letters, digits or underscores"
        )
    return None


def _outside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return True
    return False


def read_bundle(base: Path, shown: str) -> LocalBundle:
    """Every *.rego file under `shown`, a directory relative to `base` (the directory of the
    manifest file that names it) and inside its tree, as `file:` secrets are: a manifest
    from a pull request cannot have plan read files from elsewhere on the machine."""
    directory = base / shown
    out = LocalBundle(directory, shown)
    if Path(shown).is_absolute() or _outside(directory, base):
        out.problems.append(
            f"policy directory {shown} must be a relative path inside the manifest's directory"
        )
        return out
    if not directory.is_dir():
        what = "does not exist" if not directory.exists() else "is not a directory"
        out.problems.append(f"policy directory {shown} {what}")
        return out
    try:
        paths = sorted(p for p in directory.rglob("*.rego") if p.is_file())
    except OSError as exc:
        out.problems.append(f"policy directory {shown} cannot be read: {exc.strerror or exc}")
        return out
    seen: dict[str, str] = {}
    for path in paths:
        rel = path.relative_to(directory).as_posix()
        shown_path = f"{shown.rstrip('/')}/{rel}"
        if _outside(path, base):
            out.problems.append(f"{shown_path} links outside the manifest's directory")
            continue
        try:
            # A byte order mark (Windows editors) is not Rego: the text after it is uploaded.
            content = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            out.problems.append(f"{shown_path} cannot be read: {exc.strerror or exc}")
            continue
        except UnicodeDecodeError:
            out.problems.append(f"{shown_path} is not UTF-8 text")
            continue
        name = policy_name(content)
        problem = _name_problem(shown_path, name)
        if problem is not None or name is None:
            out.problems.append(problem or shown_path)
            continue
        if name in seen:
            out.problems.append(
                f"policy {name} is declared by both {seen[name]} and {shown_path}; "
                "policy names must be unique"
            )
            continue
        seen[name] = shown_path
        out.files.append(PolicyFile(rel, name, content))
    size = len(json.dumps({"policies": out.upload()}).encode("utf-8"))
    if size > MAX_BUNDLE_BYTES:
        out.problems.append(
            f"the policy bundle in {shown} is {size} bytes; CircleCI refuses bundles above "
            f"{MAX_BUNDLE_BYTES} bytes (about 2.5 MiB)"
        )
    return out
