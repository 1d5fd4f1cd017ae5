"""The manifest: YAML files read with exact positions, strict models, secret references.

from reconciler.manifest import load_manifest, json_schema, Manifest, SecretResolver, Secret

Names are loaded on first use: the models are composed from the kinds' sections, and the
kinds import this package's leaf modules (fields, names, envvar, section) while the registry
is being built, so importing the package itself must not compose the models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.manifest.envvar import EnvVar
    from reconciler.manifest.fields import (
        AttributionActor,
        CheckoutKeyType,
        Day,
        Month,
        RestrictionKind,
        WebhookEvent,
    )
    from reconciler.manifest.loader import load_manifest
    from reconciler.manifest.model import (
        Context,
        IgnorePolicy,
        Manifest,
        OrganizationSettings,
        Policy,
        Project,
    )
    from reconciler.manifest.positions import Position
    from reconciler.manifest.resolver import SecretResolver
    from reconciler.manifest.schema import json_schema
    from reconciler.manifest.secret import Secret
    from reconciler.resources.context_restriction import Restrictions
    from reconciler.resources.project_settings import ProjectSettings
    from reconciler.resources.schedule import Schedule, Timetable
    from reconciler.resources.webhook import Webhook

_HOMES = {
    "EnvVar": "reconciler.manifest.envvar",
    "AttributionActor": "reconciler.manifest.fields",
    "CheckoutKeyType": "reconciler.manifest.fields",
    "Day": "reconciler.manifest.fields",
    "Month": "reconciler.manifest.fields",
    "RestrictionKind": "reconciler.manifest.fields",
    "WebhookEvent": "reconciler.manifest.fields",
    "load_manifest": "reconciler.manifest.loader",
    "Context": "reconciler.manifest.model",
    "IgnorePolicy": "reconciler.manifest.model",
    "Manifest": "reconciler.manifest.model",
    "OrganizationSettings": "reconciler.manifest.model",
    "Policy": "reconciler.manifest.model",
    "Project": "reconciler.manifest.model",
    "Position": "reconciler.manifest.positions",
    "SecretResolver": "reconciler.manifest.resolver",
    "json_schema": "reconciler.manifest.schema",
    "Secret": "reconciler.manifest.secret",
    # The kinds' models, where code and tests have always found them.
    "Restrictions": "reconciler.resources.context_restriction",
    "ProjectSettings": "reconciler.resources.project_settings",
    "Schedule": "reconciler.resources.schedule",
    "Timetable": "reconciler.resources.schedule",
    "Webhook": "reconciler.resources.webhook",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "AttributionActor",
    "CheckoutKeyType",
    "Context",
    "Day",
    "EnvVar",
    "IgnorePolicy",
    "Manifest",
    "Month",
    "OrganizationSettings",
    "Policy",
    "Position",
    "Project",
    "ProjectSettings",
    "RestrictionKind",
    "Restrictions",
    "Schedule",
    "Secret",
    "SecretResolver",
    "Timetable",
    "Webhook",
    "WebhookEvent",
    "json_schema",
    "load_manifest",
]
