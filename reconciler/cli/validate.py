"""`validate`: check manifests offline."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.app import err, handle_errors, main


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@handle_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check manifest files or directories without calling the API (exit 0 valid, 1 invalid)."""
    from pydantic import BaseModel

    from reconciler.manifest import SecretResolver, load_manifest
    from reconciler.manifest.model import SECTIONS

    manifest = load_manifest(list(paths))
    SecretResolver().resolve_all(manifest, files_only=True)
    owners: dict[str, dict[str, BaseModel]] = {
        "project": dict(manifest.projects),
        "context": dict(manifest.contexts),
        "organization": {"organization_settings": manifest.organization_settings},
    }
    for section in SECTIONS:
        for name, entry in owners[section.owner].items():
            if section.advice is not None and section.of(entry) is not None:
                for words in section.advice(entry):
                    err(f"Warning: {name}: {words}")
    # The organization's own settings are named, or a manifest of only those would read as
    # one that manages nothing.
    settings = list(
        dict.fromkeys(
            s.key
            for s in SECTIONS
            if s.owner == "organization" and s.of(manifest.organization_settings) is not None
        )
    )
    also = f" and organization settings ({', '.join(settings)})" if settings else ""
    click.echo(
        f"Valid: {len(manifest.projects)} project(s), {len(manifest.contexts)} context(s)"
        f"{also} for {manifest.organization}."
    )
