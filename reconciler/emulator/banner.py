"""What the emulator says at its start (on stderr): where it serves, which organizations,
and which tokens it accepts. Tokens are printed only where the seed declares them: those are
test tokens written in a file; a `--token` or a state file's tokens are counted, not shown."""

from __future__ import annotations

from typing import Any

from reconciler.emulator.world import World


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def banner(world: World, url: str, seed: dict[str, Any] | None) -> list[str]:
    lines = [f"CircleCI API emulator at {url} (API under /api/v2); Ctrl-C stops it."]
    for org in sorted(world.organizations.values(), key=lambda o: str(o["slug"])):
        projects = sum(1 for p in world.projects.values() if p["organization_id"] == org["id"])
        contexts = sum(1 for c in world.contexts.values() if c["organization_id"] == org["id"])
        lines.append(
            f"  organization {org['slug']}: {_count(projects, 'project')}, "
            f"{_count(contexts, 'context')}"
        )
    declared = [u for u in (seed or {}).get("users") or [] if isinstance(u, dict)]
    for user in declared:
        orgs = ", ".join(str(o) for o in user.get("organizations") or []) or "no organization"
        lines.append(f"  token {user.get('token')} for {user.get('login')} ({orgs})")
    others = len(world.users) - len(declared)
    if others > 0:
        lines.append(
            f"  and {_count(others, 'token')} from --token or the state file (not shown; "
            "a member of every organization)"
        )
    if not world.users:
        lines.append("  no token is accepted yet: pass --token, or list users in the seed")
    return lines
