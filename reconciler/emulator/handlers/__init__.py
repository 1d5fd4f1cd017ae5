"""Every API route, as (path under /api, method, handler). Handlers take (ctx, **path args)."""

from __future__ import annotations

from reconciler.emulator.handlers import (
    checkout_keys,
    contexts,
    envvars,
    identity,
    restrictions,
    schedules,
    settings,
    webhooks,
)
from reconciler.emulator.http import Route

ROUTES: list[Route] = [
    *identity.ROUTES,
    *settings.ROUTES,
    *envvars.ROUTES,
    *checkout_keys.ROUTES,
    *contexts.ROUTES,
    *restrictions.ROUTES,
    *schedules.ROUTES,
    *webhooks.ROUTES,
]
