"""Command line: one module per command; each parses, calls the engine, renders and exits.

Importing the command modules registers them on the `main` group.
"""

from reconciler.cli import (
    apply,
    comment,
    convert,
    drift,
    emulator,
    export,
    lint,
    plan,
    rotate,
    schema,
    validate,
)
from reconciler.cli.app import main

__all__ = [
    "main",
    "apply",
    "comment",
    "convert",
    "drift",
    "emulator",
    "export",
    "lint",
    "plan",
    "rotate",
    "schema",
    "validate",
]
