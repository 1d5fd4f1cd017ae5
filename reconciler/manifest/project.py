"""A project: settings, env vars, checkout keys, schedules and webhooks."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.fields import (
    AttributionActor,
    CheckoutKeyType,
    Day,
    EnvVarName,
    Month,
    NonBlank,
    StrictModel,
    WebhookEvent,
    at_key,
)
from reconciler.manifest.scalars import LooksTyped

MAX_BRANCH_OVERRIDES = 100


class ProjectSettings(StrictModel):
    """CircleCI's advanced settings. Only the keys written here are managed (a partial object):
    use `model_dump(exclude_unset=True)`."""

    autocancel_builds: StrictBool | None = None
    """Cancel redundant builds on a new push to the same non-default branch."""
    build_fork_prs: StrictBool | None = None
    """Run builds for pull requests from forks."""
    build_prs_only: StrictBool | None = None
    """Build only branches with an open pull request (and the default branch)."""
    disable_ssh: StrictBool | None = None
    """Forbid rerunning jobs with SSH."""
    forks_receive_secret_env_vars: StrictBool | None = None
    """Give builds of fork pull requests this project's secrets. Rarely wise."""
    # Read-only in CircleCI: kept here only so `validate` can refuse it with the reason.
    oss: SkipJsonSchema[StrictBool | None] = None
    set_github_status: StrictBool | None = None
    """Report build status to GitHub checks."""
    setup_workflows: StrictBool | None = None
    """Allow dynamic configuration (setup workflows)."""
    write_settings_requires_admin: StrictBool | None = None
    """Only admins may change these settings."""
    pr_only_branch_overrides: list[NonBlank] | None = None
    """Branches always built even with build_prs_only (at most 100)."""

    @field_validator("pr_only_branch_overrides")
    @classmethod
    def _at_most_100(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_BRANCH_OVERRIDES:
            raise ValueError(
                f"pr_only_branch_overrides lists {len(value)} branches; CircleCI allows at most "
                f"{MAX_BRANCH_OVERRIDES}"
            )
        return value


def _range(low: int, high: int, what: str) -> Any:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"{what} must be between {low} and {high}, not {value}")
        return value

    return AfterValidator(check)


Hour = Annotated[
    StrictInt,
    _range(0, 23, "an hour of the day (UTC)"),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 23}),
]
DayOfMonth = Annotated[
    StrictInt,
    _range(1, 31, "a day of the month"),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 31}),
]
PerHour = Annotated[
    StrictInt,
    _range(1, 60, "per_hour"),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 60}),
]


class Timetable(StrictModel):
    """When a schedule runs: `per_hour` runs in each of `hours_of_day` (UTC), on `days_of_week`
    or on `days_of_month` (one of the two), in `months` (all when absent)."""

    per_hour: PerHour
    """Runs per hour, 1 to 60."""
    hours_of_day: list[Hour]
    """Hours of the day, 0 to 23, UTC."""
    days_of_week: list[Day] | None = None
    """Days of the week (MON ... SUN); or use days_of_month."""
    days_of_month: list[DayOfMonth] | None = None
    """Days of the month (1 to 31); or use days_of_week."""
    months: list[Month] | None = None
    """Months (JAN ... DEC); every month when absent."""

    @field_validator("hours_of_day", "days_of_week", "days_of_month", "months")
    @classmethod
    def _not_empty(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        if not value:
            raise ValueError(f"{info.field_name} is empty; list at least one")
        return value

    @field_validator("days_of_month")
    @classmethod
    def _not_both(cls, value: list[int], info: ValidationInfo) -> list[int]:
        if info.data.get("days_of_week") is not None:
            raise ValueError("use days_of_week or days_of_month, not both")
        return value

    @model_validator(mode="after")
    def _some_days(self) -> Timetable:
        if self.days_of_week is None and self.days_of_month is None:
            raise at_key("timetable needs days_of_week or days_of_month")
        return self


def _parameter(value: Any) -> str | int | bool:
    if isinstance(value, LooksTyped):
        raise ValueError(
            "unquoted value that YAML 1.1 tools read as a boolean, number or date: "
            "write true/false, or put text in quotes"
        )
    if isinstance(value, str | bool) or (isinstance(value, int) and -(2**63) <= value < 2**63):
        return value
    if isinstance(value, float):
        raise ValueError("parameters take text, whole numbers or true/false; quote decimals")
    raise ValueError("a parameter must be text, a whole number or true/false")


Parameter = Annotated[
    str | int | bool,
    PlainValidator(_parameter),
    WithJsonSchema({"type": ["string", "integer", "boolean"]}),
]


class Schedule(StrictModel):
    """A scheduled pipeline, matched by its name."""

    description: StrictStr | None = None
    """Shown in CircleCI's UI."""
    attribution_actor: AttributionActor = AttributionActor.CURRENT
    """Who the runs are attributed to: `current` (the user whose token applies the manifest,
    the default) or `system`."""
    timetable: Timetable
    """When it runs."""
    parameters: dict[NonBlank, Parameter]
    """Pipeline parameters; must hold `branch` or `tag` (not both)."""
    protect: StrictBool = False
    """Never delete or replace this schedule while it is listed here (the plan fails instead)."""

    @field_validator("parameters")
    @classmethod
    def _branch_or_tag(cls, value: dict[str, Any]) -> dict[str, Any]:
        present = [k for k in ("branch", "tag") if k in value]
        if len(present) != 1:
            raise at_key(
                "parameters need a branch or a tag"
                if not present
                else "parameters take a branch or a tag, not both"
            )
        target = value[present[0]]
        if not isinstance(target, str) or not target.strip():
            raise at_key(f"parameter '{present[0]}' must be a non-empty name")
        return value


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValueError("webhook URL must start with https://")
    if not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("webhook URL has no host, or contains spaces")
    if parts.username is not None or parts.password is not None:
        raise ValueError("webhook URL must not carry credentials (user:password@)")
    return value


class Webhook(StrictModel):
    """An outbound webhook of the project, matched by its name."""

    url: Annotated[
        StrictStr,
        AfterValidator(_https_url),
        WithJsonSchema({"type": "string", "pattern": "^https://"}),
    ]
    """Where CircleCI posts events (https only)."""
    events: list[WebhookEvent]
    """Events sent: workflow-completed, job-completed."""
    verify_tls: StrictBool = True
    """Check the receiver's TLS certificate."""
    signing_secret: EnvVar | None = None
    """Secret used to sign deliveries; a value like an env var's (`{env: NAME}` ...)."""
    protect: StrictBool = False
    """Never delete or replace this webhook while it is listed here (the plan fails instead)."""

    @field_validator("events")
    @classmethod
    def _some_events(cls, value: list[WebhookEvent]) -> list[WebhookEvent]:
        if not value:
            raise ValueError("events is empty; list at least one")
        return value

    @field_validator("signing_secret")
    @classmethod
    def _no_protect(cls, value: EnvVar) -> EnvVar:
        if "protect" in value.model_fields_set:
            raise ValueError("protect belongs on the webhook, not on its signing_secret")
        if value.adopted:  # adoption is for env vars; leaving the key out already keeps it
            raise ValueError("signing_secret needs one of env, file or value")
        return value


class Project(StrictModel):
    """A project. A collection key that is present is authoritative (live objects not listed
    are deleted unless ignored or protected); an absent key leaves them alone; `{}` means none."""

    create: StrictBool = False
    """Create (follow) the project when it does not exist."""
    settings: ProjectSettings | None = None
    """Advanced settings; only the keys written are managed."""
    env_vars: dict[EnvVarName, EnvVar] | None = None
    """Environment variables, by name."""
    checkout_keys: list[CheckoutKeyType] | None = None
    """Checkout key types wanted: deploy-key, user-key."""
    schedules: dict[NonBlank, Schedule] | None = None
    """Scheduled pipelines, by name."""
    webhooks: dict[NonBlank, Webhook] | None = None
    """Outbound webhooks, by name."""
    skip_defaults: list[NonBlank] | None = None
    """What `defaults` would add that this project does without: a section (`webhooks`) or
    one key of it (`env_vars.NPM_TOKEN`, `settings.build_fork_prs`)."""
