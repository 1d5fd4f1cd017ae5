"""Apply's confirmation on a terminal."""

from __future__ import annotations

import sys

import click

from reconciler.cli.app import EXIT_ERROR, err


def confirm_apply(changes: int) -> None:
    """Apply goes ahead on the word `yes` only, as Terraform's does: a reflexive `y` or
    Enter after a long plan must not write to an organization."""
    what = f"{changes} change{'s' if changes != 1 else ''}"
    answer = click.prompt(
        f"Apply {what} to CircleCI? Only 'yes' applies", default="", show_default=False
    )
    if answer.strip() != "yes":
        err("Nothing applied (the answer was not 'yes').")
        sys.exit(EXIT_ERROR)
