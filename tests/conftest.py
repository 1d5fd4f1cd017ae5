"""Shared fixtures: the emulator over real HTTP (tests/support/emulator_fixture.py) and the
OpenAPI contract observer (tests/support/contract.py) that checks every exchange it serves."""

pytest_plugins = [
    "tests.support.contract",
    "tests.support.emulator_fixture",
    "tests.support.github_fake",
]
