"""What kinds share when they write live objects back as manifest text (`export`)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ValidationError

from reconciler.core import Resource
from reconciler.exporting.yamltext import Block


def problem(model: type[BaseModel], data: dict[str, object]) -> str | None:
    """Why the manifest would refuse `data` as `model`, or None when it reads it back."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return "; ".join(str(e.get("msg", "")) for e in exc.errors()[:3])
    return None


def project_names(project: Resource) -> tuple[str, str]:
    """A live project's slug as CircleCI answers it, and its name where the slug ends in an
    opaque key (standalone projects; else empty), for placeholder names."""
    return str(project.ids.get("slug") or project.name), str(project.ids.get("name") or "")


def named(live: list[Resource], make: Callable[[Resource], Block | None]) -> Block:
    """A mapping by name, sorted; objects that cannot be written faithfully are left out."""
    block = Block()
    for r in sorted(live, key=lambda r: str(r.name)):
        made = make(r)
        if made is not None:
            block.add(r.name, made)
    return block
