"""Project advanced settings: a partial object; only the keys the manifest writes are managed."""

from __future__ import annotations

from typing import Any

from pydantic import StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.errors import ApiError, Problem
from reconciler.exporting.yamltext import Block, Flow
from reconciler.manifest.fields import NonBlank, StrictModel
from reconciler.manifest.section import Section, SetList, Site
from reconciler.resources.collection import CollectionKind
from reconciler.resources.names import child_address, slug_of

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


def _read_only(site: Site) -> list[Problem]:
    """`oss` is refused before any call is made, with what to do instead."""
    if not isinstance(site.value, dict) or "oss" not in site.value:
        return []
    return [
        site.doc.positions.key((*site.path, "oss")).problem(
            "'oss' is read-only: CircleCI rejects a settings change that holds it "
            "(400 \"Unexpected field 'advanced.oss'\"); remove it and change it in "
            "CircleCI's project settings"
        )
    ]


SETTINGS: Section[ProjectSettings] = Section(
    owner="project",
    key="settings",
    annotation=ProjectSettings | None,
    description="Advanced settings; only the keys written are managed.",
    set_lists=(SetList(("pr_only_branch_overrides",)),),
    rules=_read_only,
    merge="by_key",
)


class ProjectSettingsKind(CollectionKind):
    name = "project_settings"
    parent_kind = "project"
    section = SETTINGS
    authoritative = False  # only the keys written are managed
    label = "settings"
    set_fields = frozenset({"pr_only_branch_overrides"})

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out = [
            Resource(
                kind=self.name,
                address=child_address(parent, "settings"),
                name="settings",
                parent=parent,
                fields=settings.model_dump(exclude_unset=True),
                protect=True,
            )
            for parent, settings in self.declared(ctx, SETTINGS)
            if settings.model_dump(exclude_unset=True)  # `settings: {}` manages nothing
        ]
        return out, []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        advanced = ctx.api.get_project_settings(parent.name)
        return [self._live(parent.address, advanced)]

    def _live(self, parent: str, advanced: dict[str, Any]) -> Resource:
        return Resource(
            kind=self.name,
            address=child_address(parent, "settings"),
            name="settings",
            parent=parent,
            fields=dict(advanced),
        )

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """The booleans this tool manages; a note for each other key CircleCI reports."""
        data = live[0].fields if live else {}
        known = ProjectSettings.model_fields
        out, notes = Block(), []
        for key in sorted(data):
            value = data[key]
            if key == "oss":
                continue  # read-only: CircleCI refuses a settings change that holds it
            if key not in known:
                notes.append(f"setting {key} is reported by CircleCI but not managed by this tool")
            elif key in self.set_fields and isinstance(value, list):
                out.add(key, Flow(sorted(str(v) for v in value)))
            elif isinstance(value, bool):
                out.add(key, value)
            else:
                notes.append(f"setting {key} has an unexpected value in CircleCI; left out")
        return Exported(out, notes)

    def _patch(self, ctx: ApplyContext, desired: Resource, keys: list[str]) -> Resource:
        slug = slug_of(desired.parent)
        body = {k: desired.fields[k] for k in keys}
        answer = ctx.api.patch_project_settings(slug, body)
        # PATCH answers 200 even when a setting (e.g. oss) silently did not apply.
        dropped = [k for k, v in body.items() if k in answer and not _same(answer[k], v)]
        if dropped:
            raise ApiError(
                f"CircleCI accepted but did not apply setting(s) {', '.join(sorted(dropped))}",
                method="PATCH",
                path=f"/project/{slug}/settings",
            )
        return self._live(desired.parent or "", answer)

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return self._patch(ctx, desired, sorted(desired.fields))

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        return self._patch(ctx, desired, changed)

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        raise NotImplementedError("settings are never deleted")


def _same(a: object, b: object) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return bool(a == b)
