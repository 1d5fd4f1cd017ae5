"""Saved plans: what was reviewed, bound to the manifest files and the live state it saw.

The file holds the plan's dict form (no secret values), the manifest paths with a digest of
their content, and the live-state checksum. `apply --plan` re-reads CircleCI and refuses
when anything moved, so what runs is exactly what was reviewed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError, StalePlan

SAVED_FORMAT = 1


def manifest_digest(files: list[str] | list[Path]) -> str:
    """Digest of the manifest files as read: their names as given (relative paths stay
    relative, so a plan made in one checkout applies in another) and their bytes."""
    h = hashlib.sha256()
    for f in files:
        path = Path(f)
        h.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


@dataclass
class SavedPlan:
    paths: tuple[Path, ...]
    targets: list[str]
    digest: str
    plan: dict[str, Any]
    rewrite_secrets: bool = False


def save_plan(
    out: Path,
    plan: Any,
    paths: tuple[Path, ...],
    files: list[str],
    targets: list[str],
    rewrite_secrets: bool = False,
) -> None:
    data = {
        "saved_plan_format": SAVED_FORMAT,
        "manifest": {
            "paths": [Path(p).as_posix() for p in paths],
            "digest": manifest_digest(files),
        },
        "targets": targets,
        "rewrite_secrets": rewrite_secrets,
        "plan": plan.to_dict(),
    }
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def load_saved(path: Path) -> SavedPlan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        m = data["manifest"]
        if data.get("saved_plan_format") != SAVED_FORMAT:
            raise ValueError("unknown format")
        return SavedPlan(
            paths=tuple(Path(p) for p in m["paths"]),
            targets=list(data.get("targets") or []),
            digest=m["digest"],
            plan=data["plan"],
            rewrite_secrets=bool(data.get("rewrite_secrets")),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReconcilerError(f"{path} is not a saved plan ({type(exc).__name__})") from None


def check_present(saved: SavedPlan) -> None:
    missing = [str(p) for p in saved.paths if not p.exists()]
    if missing:
        raise StalePlan(
            f"the saved plan refers to manifest paths that are not here: {', '.join(missing)} "
            "(run apply from the directory where plan ran)"
        )


def verify_saved(saved: SavedPlan, fresh: Any, files: list[str]) -> None:
    """Refuse when the manifest or the live state moved since the plan was saved."""
    if manifest_digest(files) != saved.digest:
        raise StalePlan("plan is stale: the manifest files changed since it was saved; plan again")
    if fresh.checksum != saved.plan.get("checksum"):
        raise StalePlan("plan is stale: CircleCI changed since it was saved; plan again")
    # What each change writes too (values as the plan shows them, never a secret): a file
    # the manifest reads, such as a policy, may have changed though the manifest did not.
    now = [(c["address"], c["action"], c.get("after")) for c in fresh.to_dict()["changes"]]
    then = [(c["address"], c["action"], c.get("after")) for c in saved.plan.get("changes", [])]
    if now != then:
        raise StalePlan("plan is stale: the changes differ from the saved plan; plan again")
