"""Rules over CircleCI's current project model and the organization's own settings: pipeline
definitions, their triggers, config policies, the URL orb allow-list. Messages name objects,
never values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from reconciler.lint.registry import Finding, Severity, View, rule

S = Severity


def _github_app(view: View, project: str) -> bool:
    """Whether the project builds through the GitHub App: a standalone (circleci/) project,
    or one with a pipeline definition that checks out through the app."""
    return project.startswith("project[circleci/") or any(
        d.fields.get("checkout_provider") == "github_app"
        for d in view.under(project, "pipeline_definition")
    )


@rule(
    "github-app-legacy-schedule",
    "Legacy schedule on a GitHub App project",
    S.LOW,
    ("schedule", "pipeline_definition"),
    """GitHub App pipelines are started by triggers; a legacy scheduled pipeline kept on a
    project that builds through the GitHub App runs the OAuth pipeline, or nothing, and two
    ways of scheduling one project drift apart.""",
    """Convert the project's schedules into schedule triggers (`convert-schedules`), review
    the change and apply it: the triggers are made before the schedules go.""",
)
def legacy_schedules(view: View) -> Iterator[Finding]:
    for s in view.of("schedule"):
        if s.parent and _github_app(view, s.parent):
            yield Finding(
                "github-app-legacy-schedule",
                f"schedule {s.name!r} is a legacy schedule on a GitHub App project",
                s.address,
            )


@rule(
    "trigger-user-attribution",
    "Schedule trigger attributed to a user",
    S.MEDIUM,
    ("pipeline_trigger",),
    """Like a legacy schedule, a schedule trigger attributed to a user runs with that user's
    permissions and stops when they leave; `current` is whoever applied the manifest last.
    CircleCI does not report a trigger's attribution, so only the manifest is judged.""",
    """Set `attribution_actor: system` on the trigger.""",
)
def trigger_user(view: View) -> Iterator[Finding]:
    if view.live:
        return
    for t in view.of("pipeline_trigger"):
        if t.fields.get("provider") != "schedule":
            continue
        actor = str(t.signal.get("attribution_actor") or "current")
        if actor != "system":
            yield Finding(
                "trigger-user-attribution",
                f"schedule trigger {t.name!r} runs as the applying user",
                t.address,
                "attribution_actor",
            )


@rule(
    "config-policies-disabled",
    "Config policies disabled",
    S.MEDIUM,
    ("config_policy_settings",),
    """With policy evaluation off, nothing checks pipeline configuration against the
    organization's rules (allowed orbs, contexts only on protected branches, resource
    classes), whatever bundle is uploaded.""",
    """Set `organization_settings.config_policies.enabled: true` once the bundle holds the
    organization's policies (try them with `plan`, which runs CircleCI's dry run).""",
)
def policies_disabled(view: View) -> Iterator[Finding]:
    for s in view.of("config_policy_settings"):
        if s.fields.get("enabled") is False:
            yield Finding(
                "config-policies-disabled",
                "config policy evaluation is turned off",
                s.address,
                "enabled",
            )


# A path segment that pins what a prefix admits: a release (v1.2.3, 1.2.3) or a commit or
# content digest (40 or 64 hex digits).
_PIN = re.compile(r"^(v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|[0-9a-f]{40}|[0-9a-f]{64})$")


def pinned(prefix: str) -> bool:
    """Whether a URL orb prefix ends at a fixed version: some segment of its path is a
    release or a digest, so what it admits cannot change under it."""
    return any(_PIN.match(part) for part in urlsplit(prefix).path.split("/"))


@rule(
    "url-orb-unpinned",
    "URL orbs allowed from an unpinned prefix",
    S.MEDIUM,
    ("url_orb_allow_list_entry",),
    """A URL orb is configuration fetched at pipeline time. A prefix that stops at a
    repository or a branch admits whatever is pushed there later: one push, by anyone who
    can write to it, changes what every pipeline that imports the orb runs.""",
    """Allow a prefix that ends at a release or a commit (`.../acme/orbs/v1.4.0/`,
    `.../acme/orbs/<commit sha>/`), and move it on purpose when the orb is upgraded.""",
)
def orbs_unpinned(view: View) -> Iterator[Finding]:
    for e in view.of("url_orb_allow_list_entry"):
        if not pinned(str(e.fields.get("prefix") or "")):
            yield Finding(
                "url-orb-unpinned",
                f"URL orb allow-list entry {e.name!r} admits any version under its prefix",
                e.address,
                "prefix",
            )
