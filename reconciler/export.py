"""`export`: a manifest describing a live organization, ready to commit and plan against.

The given projects (settings, env var names, checkout key types, schedules, webhooks) and
every context of the organization (env var names, restrictions). Secret values cannot be
read, so each becomes an `{env: NAME}` placeholder listed at the top of the file; objects that
cannot be written back faithfully are named in `policy.ignore` so plan and apply leave them
alone. Planned against the same organization with the placeholders set, the manifest shows
no change.
"""

from __future__ import annotations

from typing import Any

from reconciler.exporting.document import build
from reconciler.exporting.live import read_org


def export_manifest(api: Any, org_slug: str, project_slugs: list[str]) -> str:
    """The YAML text of a manifest for `org_slug` and `project_slugs` (read through `api`,
    a reconciler.client.CircleCI)."""
    return build(read_org(api, org_slug, project_slugs))
