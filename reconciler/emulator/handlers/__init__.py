"""Every API route, as (path under /api, method, handler); handlers take (ctx, **path args).
SEED_KEYS: the seed keys handler modules read beyond the built-in ones (seed.py)."""

from __future__ import annotations

from reconciler.emulator.handlers import (
    checkout_keys,
    contexts,
    envvars,
    identity,
    pipelines,
    policies,
    restrictions,
    schedules,
    settings,
    triggers,
    webhooks,
)
from reconciler.emulator.http import Route, SeedKey

ROUTES: list[Route] = [
    *identity.ROUTES,
    *settings.ROUTES,
    *envvars.ROUTES,
    *checkout_keys.ROUTES,
    *contexts.ROUTES,
    *restrictions.ROUTES,
    *schedules.ROUTES,
    *webhooks.ROUTES,
    *pipelines.ROUTES,
    *triggers.ROUTES,
    *policies.ROUTES,
]

SEED_KEYS: list[SeedKey] = [
    *pipelines.SEED_KEYS,
    SeedKey(level="organization", key="features_off", load=policies.load_features_off),
    SeedKey(level="organization", key="config_policies", load=policies.load_config_policies),
]
