"""Every API route, as (path under /api, method, handler); handlers take (ctx, **path args).
SEED_KEYS: the seed keys handler modules read beyond the built-in ones (seed.py)."""

from __future__ import annotations

from reconciler.emulator.handlers import (
    checkout_keys,
    contexts,
    envvars,
    features,
    identity,
    oidc_claims,
    pipelines,
    policies,
    restrictions,
    schedules,
    settings,
    triggers,
    url_orb_allow_list,
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
    *oidc_claims.ROUTES,
    *url_orb_allow_list.ROUTES,
]

SEED_KEYS: list[SeedKey] = [
    features.SEED_KEY,
    *pipelines.SEED_KEYS,
    *policies.SEED_KEYS,
    *oidc_claims.SEED_KEYS,
    *url_orb_allow_list.SEED_KEYS,
]
