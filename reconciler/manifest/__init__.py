"""The manifest: YAML files read with exact positions, strict models, secret references.

from reconciler.manifest import load_manifest, json_schema, Manifest, SecretResolver, Secret
"""

from __future__ import annotations

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
from reconciler.manifest.model import Context, IgnorePolicy, Manifest, Policy, Restrictions
from reconciler.manifest.positions import Position
from reconciler.manifest.project import Project, ProjectSettings, Schedule, Timetable, Webhook
from reconciler.manifest.resolver import SecretResolver
from reconciler.manifest.schema import json_schema
from reconciler.manifest.secret import Secret

__all__ = [
    "AttributionActor",
    "CheckoutKeyType",
    "Context",
    "Day",
    "EnvVar",
    "IgnorePolicy",
    "Manifest",
    "Month",
    "Policy",
    "Position",
    "Project",
    "ProjectSettings",
    "Restrictions",
    "RestrictionKind",
    "Schedule",
    "Secret",
    "SecretResolver",
    "Timetable",
    "Webhook",
    "WebhookEvent",
    "json_schema",
    "load_manifest",
]
