"""A local CircleCI API over real HTTP, for tests, benchmarks and demos.

It imports nothing from the rest of `reconciler`: the client and the emulator must not share
code, or they would agree with each other on the same mistakes. README.md lists its choices.
"""

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.seed import SeedError
from reconciler.emulator.server import EmulatorServer

__all__ = ["EmulatorConfig", "EmulatorServer", "SeedError"]
