"""The end-to-end fixtures: an emulator seeded with the standard world and the CLI."""

from tests.e2e.conftest import cli, world

__all__ = ["cli", "world"]
