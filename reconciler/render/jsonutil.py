"""JSON helpers shared by the plan and drift reports: a stable key order, equal reports as
equal bytes, and nothing a terminal would act on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reconciler.render.values import escape_controls


def ordered(d: Mapping[str, Any], first: tuple[str, ...]) -> dict[str, Any]:
    """The keys of `first` in that order, then the others sorted."""
    return {k: d[k] for k in [*(k for k in first if k in d), *sorted(set(d) - set(first))]}


def deep_sorted(value: Any) -> Any:
    """Map keys sorted at every depth."""
    if isinstance(value, Mapping):
        return {k: deep_sorted(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [deep_sorted(v) for v in value]
    return value


def dump(document: Any) -> str:
    """Indented JSON with a trailing newline; non-ASCII text stays readable, control
    characters (only possible inside strings) are escaped."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return "\n".join(escape_controls(line) for line in text.split("\n")) + "\n"
