"""Plan reports. Every renderer reads only the plan's dict form (`Plan.to_dict()`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.render.json import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text

RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}


def render(plan: Mapping[str, Any], fmt: str, color: bool = False) -> str:
    """The plan in format `fmt`; `color` only affects the text format."""
    if fmt not in RENDERERS:
        raise ReconcilerError(f"unknown format {fmt!r}; choose one of {', '.join(RENDERERS)}")
    if fmt == "text":
        return render_text(plan, color=color)
    return RENDERERS[fmt](plan)


__all__ = ["RENDERERS", "render", "render_json", "render_markdown", "render_text"]
