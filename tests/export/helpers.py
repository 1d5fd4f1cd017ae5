"""Export a seeded emulator, load the result, and plan it (with the seeded secret values
where the export wrote placeholders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.client import CircleCI, ClientConfig
from reconciler.engine import PlanResult, make_plan
from reconciler.export import export_manifest
from reconciler.manifest import Manifest, SecretResolver, load_manifest


def client(emulator: Any, token: str) -> CircleCI:
    return CircleCI(ClientConfig(host=emulator.url, token=token, concurrency=4))


def export_to(
    api: CircleCI, org: str, projects: list[str], path: Path, placeholders: bool = False
) -> tuple[str, Manifest]:
    text = export_manifest(api, org, projects, placeholders=placeholders)
    path.write_text(text, encoding="utf-8")
    return text, load_manifest([path])


def placeholder_values(
    manifest: Manifest, secrets: dict[tuple[str, str, str], str], hooks: dict[tuple[str, str], str]
) -> dict[str, str]:
    """Each {env: NAME} of the manifest, set to the seeded value of the object it stands for."""
    env: dict[str, str] = {}
    for slug, p in manifest.projects.items():
        for name, ref in (p.env_vars or {}).items():
            assert ref.env is not None
            env[ref.env] = secrets[("project", slug, name)]
        for name, hook in (p.webhooks or {}).items():
            if hook.signing_secret is not None:
                assert hook.signing_secret.env is not None
                env[hook.signing_secret.env] = hooks.get((slug, name), "")
    for cname, c in manifest.contexts.items():
        for name, ref in (c.env_vars or {}).items():
            assert ref.env is not None
            env[ref.env] = secrets[("context", cname, name)]
    return env


def plan(manifest: Manifest, api: CircleCI, environ: dict[str, str]) -> PlanResult:
    return make_plan(manifest, api, resolver=SecretResolver(environ))


def comments(text: str) -> str:
    """Every comment's text on one line, whatever the wrapping."""
    return " ".join(ln.split("# ", 1)[1].strip() for ln in text.splitlines() if "# " in ln)
