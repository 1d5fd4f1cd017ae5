"""The manifest side of pipeline definitions and their triggers: the models, and the rules
across fields CircleCI enforces (ENDPOINTS.md §12), checked offline on the raw data so each
is reported at its place. The two kinds (pipeline_definition, pipeline_trigger) read these.

Repositories are written by full name (`acme/api`); CircleCI's requests name them by the id
GitHub gives them (`external_id`), learnt from the definitions the project already has, or
written explicitly (`repo: {full_name: acme/api, external_id: "123"}`) where none names it.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    Discriminator,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    WithJsonSchema,
)

from reconciler.errors import Problem
from reconciler.manifest.fields import NonBlank, StrictModel
from reconciler.manifest.positions import Path_
from reconciler.manifest.section import Section, Site
from reconciler.resources import cron
from reconciler.resources.schedule import SCHEDULES, Parameter


class ConfigProvider(str, Enum):
    GITHUB_APP = "github_app"
    GITHUB_OAUTH = "github_oauth"  # made by CircleCI for OAuth projects; never created here
    CIRCLECI = "circleci"  # config stored in CircleCI, no repository


class CheckoutProvider(str, Enum):
    GITHUB_APP = "github_app"
    GITHUB_OAUTH = "github_oauth"


class TriggerProvider(str, Enum):
    GITHUB_APP = "github_app"
    GITHUB_OAUTH = "github_oauth"
    WEBHOOK = "webhook"
    SCHEDULE = "schedule"


class EventPreset(str, Enum):
    ALL_PUSHES = "all-pushes"
    ONLY_TAGS = "only-tags"
    DEFAULT_BRANCH_PUSHES = "default-branch-pushes"
    ONLY_BUILD_PRS = "only-build-prs"
    ONLY_OPEN_PRS = "only-open-prs"
    ONLY_LABELED_PRS = "only-labeled-prs"
    ONLY_MERGED_PRS = "only-merged-prs"
    ONLY_READY_FOR_REVIEW_PRS = "only-ready-for-review-prs"
    ONLY_BRANCH_DELETE = "only-branch-delete"
    ONLY_BUILD_PUSHES_TO_NON_DRAFT_PRS = "only-build-pushes-to-non-draft-prs"
    ONLY_MERGED_OR_CLOSED_PRS = "only-merged-or-closed-prs"
    PR_COMMENT_EQUALS_RUN_CI = "pr-comment-equals-run-ci"
    NON_DRAFT_PR_OPENED = "non-draft-pr-opened"
    PUSHES_TO_MERGE_QUEUES = "pushes-to-merge-queues"


class ScheduleActor(str, Enum):
    CURRENT = "current"
    SYSTEM = "system"


REPO_PROVIDERS = {"github_app", "github_oauth"}
# Providers whose events a preset filters (CircleCI: presets apply to GitHub App sources).
PRESET_PROVIDERS = {"github_app"}


def _full_name(value: str) -> str:
    owner, slash, repo = value.partition("/")
    if not slash or not owner.strip() or not repo.strip() or "/" in repo or " " in value:
        raise ValueError(f"a repository is written by its full name, owner/name, not {value!r}")
    return value


FullName = Annotated[
    StrictStr,
    AfterValidator(_full_name),
    WithJsonSchema({"type": "string", "pattern": "^[^/ ]+/[^/ ]+$"}),
]


def _external_id(value: object) -> str:
    return str(value)


ExternalId = Annotated[
    StrictStr | StrictInt,
    AfterValidator(_external_id),
    WithJsonSchema({"type": ["string", "integer"]}),
]


class RepoRef(StrictModel):
    """A repository with the id GitHub gives it, for a repository no definition names yet."""

    full_name: FullName
    """owner/name."""
    external_id: ExternalId
    """The repository's id at GitHub (CircleCI's `external_id`)."""


# One branch per shape, so a wrong value gets one message, not one per shape.
Repo = Annotated[
    Annotated[FullName, Tag("name")] | Annotated[RepoRef, Tag("ref")],
    Discriminator(lambda v: "ref" if isinstance(v, dict | RepoRef) else "name"),
]


def repo_name(repo: Repo | None) -> str | None:
    return repo.full_name if isinstance(repo, RepoRef) else repo


def _cron(value: str) -> str:
    try:
        return cron.check(value)
    except cron.CronError as exc:
        raise ValueError(str(exc)) from None


CronExpression = Annotated[
    StrictStr,
    AfterValidator(_cron),
    WithJsonSchema({"type": "string", "pattern": r"^\S+( \S+){4}$"}),
]


class ConfigSource(StrictModel):
    """Where the pipeline's config file is read from."""

    provider: ConfigProvider = ConfigProvider.GITHUB_APP
    """`github_app` (a repository, the default), `circleci` (stored in CircleCI, no repo),
    or `github_oauth` (made by CircleCI for GitHub OAuth projects)."""
    repo: Repo | None = None
    """The repository holding the config: `owner/name`, or {full_name, external_id}."""
    file_path: NonBlank
    """Path of the config file, e.g. .circleci/config.yml."""


class CheckoutSource(StrictModel):
    """The repository the `checkout` step clones."""

    provider: CheckoutProvider = CheckoutProvider.GITHUB_APP
    """`github_app` (the default) or `github_oauth`."""
    repo: Repo
    """`owner/name`, or {full_name, external_id}."""


class PipelineTrigger(StrictModel):
    """What starts the pipeline: repository events, a webhook, or a schedule."""

    provider: TriggerProvider
    """github_app, github_oauth, webhook or schedule."""
    event_preset: EventPreset | None = None
    """Which repository events run it (github_app only), e.g. all-pushes, only-open-prs."""
    repo: Repo | None = None
    """The repository whose events count (repository providers; default: the checkout's)."""
    checkout_ref: NonBlank | None = None
    """Ref to check out: required for webhook and schedule triggers, and for repository
    triggers on another repository than the definition's."""
    config_ref: NonBlank | None = None
    """Ref to read the config from; required where checkout_ref is."""
    disabled: StrictBool = False
    """Whether it is switched off."""
    sender: NonBlank | None = None
    """Webhook triggers: the name of the sender (e.g. datadog)."""
    cron_expression: CronExpression | None = None
    """Schedule triggers: when it runs, five cron fields in UTC (`0 2 * * *`)."""
    attribution_actor: ScheduleActor | None = None
    """Schedule triggers: who runs are attributed to, `current` (default) or `system`.
    CircleCI does not report it back, so a change of it alone is not seen."""
    parameters: dict[NonBlank, Parameter] | None = None
    """Schedule triggers: pipeline parameters."""
    protect: StrictBool = False
    """Never delete or replace this trigger while it is listed here."""


class PipelineDefinition(StrictModel):
    """A pipeline definition of the project, matched by its name."""

    description: StrictStr | None = None
    """Shown in CircleCI's UI."""
    config_source: ConfigSource
    """Where its config file lives (provider and repository cannot change: a change replaces
    the definition and its triggers)."""
    checkout_source: CheckoutSource
    """What `checkout` clones."""
    triggers: dict[NonBlank, PipelineTrigger] | None = None
    """Its triggers, by name; absent: its triggers are left alone; `{}`: none."""
    protect: StrictBool = False
    """Never delete or replace this definition while it is listed here."""


# ---- offline rules across fields, on the raw data ---------------------------------------


def _lower_repo(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("full_name")
    return value.lower() if isinstance(value, str) else None


def _well_written(name: str) -> bool:
    try:
        _full_name(name)
    except ValueError:
        return False
    return True


def _trigger_problems(site: Site, path: Path_, t: dict[str, Any], repos: set[str]) -> list[Problem]:
    pos = site.doc.positions
    out: list[Problem] = []
    provider = t.get("provider")
    if not isinstance(provider, str):
        return out  # missing or wrong: the model says so

    def at(key: str, words: str) -> None:
        out.append(pos.key((*path, key)).problem(words))

    if "event_preset" in t and provider not in PRESET_PROVIDERS:
        at("event_preset", f"event_preset applies only to github_app triggers, not to {provider}")
    for key, only in (("sender", "webhook"), ("cron_expression", "schedule")):
        if key in t and provider != only:
            at(key, f"{key} belongs to {only} triggers, not to {provider}")
    for key in ("attribution_actor", "parameters"):
        if key in t and provider != "schedule":
            at(key, f"{key} belongs to schedule triggers, not to {provider}")
    if "repo" in t and provider not in REPO_PROVIDERS:
        at("repo", f"{provider} triggers take no repo")
    if provider == "schedule" and "cron_expression" not in t:
        out.append(pos.key(path).problem("a schedule trigger needs a cron_expression"))
    if provider in ("webhook", "schedule"):
        for key in ("checkout_ref", "config_ref"):
            if key not in t:
                out.append(pos.key(path).problem(f"a {provider} trigger needs {key}"))
    elif provider in REPO_PROVIDERS:
        own = _lower_repo(t.get("repo"))
        if own is not None and not _well_written(own) or "" in repos:
            return out  # a repository written wrong is reported once, at its place
        if own is None or own in repos:
            for key in ("checkout_ref", "config_ref"):
                if key in t:
                    at(
                        key,
                        f"{key} is only for triggers on another repository than the "
                        "definition's: CircleCI refuses it here; remove it",
                    )
        elif "checkout_ref" not in t or "config_ref" not in t:
            out.append(
                pos.key(path).problem(
                    "a trigger on another repository than the definition's needs "
                    "checkout_ref and config_ref"
                )
            )
    return out


def _oauth_problems(site: Site, path: Path_, t: dict[str, Any], config: object) -> list[Problem]:
    """A GitHub OAuth definition (CircleCI made it) takes github_oauth repository triggers,
    and none can be created disabled; a GitHub App one takes no github_oauth trigger."""
    if not isinstance(config, dict):
        return []
    oauth = config.get("provider") == "github_oauth"
    provider = t.get("provider")
    pos = site.doc.positions
    if provider in REPO_PROVIDERS and (provider == "github_oauth") != oauth:
        want = "github_oauth" if oauth else "github_app"
        return [
            pos.key((*path, "provider")).problem(
                f"a {provider} trigger cannot belong to a definition whose config_source is "
                f"{config.get('provider', 'github_app')}: use {want}"
            )
        ]
    if oauth and t.get("disabled") is True:
        return [
            pos.key((*path, "disabled")).problem(
                "CircleCI cannot disable triggers of a GitHub OAuth definition; remove the "
                "trigger instead"
            )
        ]
    return []


def _definition_problems(site: Site, path: Path_, d: dict[str, Any]) -> list[Problem]:
    pos = site.doc.positions
    out: list[Problem] = []
    config = d.get("config_source")
    checkout = d.get("checkout_source")
    repos: set[str] = set()
    if isinstance(config, dict):
        provider = config.get("provider", "github_app")
        if provider == "circleci" and "repo" in config:
            out.append(
                pos.key((*path, "config_source", "repo")).problem(
                    "a config stored in CircleCI (provider circleci) has no repo"
                )
            )
        elif provider != "circleci" and "repo" not in config:
            out.append(
                pos.key((*path, "config_source")).problem(
                    f"a {provider} config source needs the repo holding the config"
                )
            )
        repos.add(_lower_repo(config.get("repo")) or "")
    if isinstance(checkout, dict):
        repos.add(_lower_repo(checkout.get("repo")) or "")
        # CircleCI writes only github_app checkouts; it made GitHub OAuth ones itself.
        config_provider = config.get("provider", "github_app") if isinstance(config, dict) else ""
        want = "github_oauth" if config_provider == "github_oauth" else "github_app"
        if config_provider and checkout.get("provider", "github_app") != want:
            where = (*path, "checkout_source", "provider")
            out.append(
                pos.key(where if "provider" in checkout else where[:-1]).problem(
                    f"a {config_provider} config source takes a {want} checkout_source"
                )
            )
    triggers = d.get("triggers")
    seen: dict[tuple[object, ...], str] = {}
    if isinstance(triggers, dict):
        for name, t in triggers.items():
            if not isinstance(t, dict):
                continue
            tpath = (*path, "triggers", name)
            written = {r for r in repos if r and _well_written(r)}
            unsure = {""} if any(r and not _well_written(r) for r in repos) else set()
            out += _trigger_problems(site, tpath, t, written | unsure)
            out += _oauth_problems(site, tpath, t, config)
            if t.get("provider") in REPO_PROVIDERS:
                checkout_repo = (
                    _lower_repo(checkout.get("repo")) if isinstance(checkout, dict) else None
                )
                sig = (
                    t.get("provider"),
                    _lower_repo(t.get("repo")) or checkout_repo,
                    t.get("event_preset"),
                )
                first = seen.setdefault(sig, str(name))
                if first != name:
                    out.append(
                        pos.key(tpath).problem(
                            f"trigger '{name}' listens to the same events as '{first}': "
                            "CircleCI would run the pipeline twice"
                        )
                    )
    return out


def _rules(site: Site) -> list[Problem]:
    if not isinstance(site.value, dict):
        return []
    out: list[Problem] = []
    for name, d in site.value.items():
        if isinstance(d, dict):
            out += _definition_problems(site, (*site.path, name), d)
    return out


def _advice(project: BaseModel) -> Iterator[str]:
    """Legacy schedules beside GitHub App definitions: CircleCI runs GitHub App pipelines
    from schedule triggers (ENDPOINTS.md §10)."""
    defs = DEFINITIONS.of(project) or {}
    app = [n for n, d in defs.items() if d.config_source.provider != ConfigProvider.GITHUB_OAUTH]
    if app and SCHEDULES.of(project):
        yield (
            "declares legacy schedules beside GitHub App pipeline definitions, whose "
            "scheduled runs are schedule triggers; `circleci-reconciler convert-schedules` "
            "rewrites them for review"
        )


DEFINITIONS: Section[dict[str, PipelineDefinition]] = Section(
    owner="project",
    key="pipeline_definitions",
    annotation=dict[NonBlank, PipelineDefinition] | None,
    description="Pipeline definitions (GitHub App projects), by name, with their triggers.",
    rules=_rules,
    advice=_advice,
)
