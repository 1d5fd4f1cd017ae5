"""Features an organization may lack (plan-gated in CircleCI's cloud, absent on CircleCI
server). Every feature is available unless the seed turns it off for an organization:

    organizations:
      gh/acme:
        features_off: [oidc_custom_claims, url_orb_allow_list]

Handler modules register the names they gate (`register`) and ask `available`; the list is
kept on the organization record as `features_off`."""

from __future__ import annotations

from typing import Any

from reconciler.emulator.http import SeedKey
from reconciler.emulator.world import Record, World

KNOWN: set[str] = set()  # every name a handler module gates


def register(*names: str) -> None:
    KNOWN.update(names)


def available(org: Record, name: str) -> bool:
    return name not in org.get("features_off", ())


def _load(world: World, org: Record, value: Any, where: str) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of feature names")
    if set(value) - KNOWN:
        raise ValueError(f"lists an unknown feature (known: {', '.join(sorted(KNOWN))})")
    org["features_off"] = sorted(set(value))


SEED_KEY = SeedKey(level="organization", key="features_off", load=_load)
