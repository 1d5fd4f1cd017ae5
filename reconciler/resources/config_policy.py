"""Config policies of the organization (`organization_settings.config_policies`): one object
per policy, named by its `policy_name` rule and compared by the SHA-256 of its Rego text, so
a plan names each policy created, modified or deleted. `directory` is authoritative for the
whole bundle (a policy not in it is deleted); without it the bundle is left alone.

CircleCI stores the bundle whole: an upload replaces every policy. So a plan whose bundle
differs asks CircleCI for a dry run (`?dry=true`), which refuses a bundle CircleCI would
refuse, with CircleCI's message, and is the judge of which policies really change; apply
uploads once, however many policies change (before_writes gathers them)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import StrictBool

from reconciler.client.api import Json, seg
from reconciler.core import (
    ApplyContext,
    Change,
    ExportContext,
    Exported,
    FetchContext,
    Kind,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.errors import ApiError, ManifestError, NotFound, Problem, ReconcilerError
from reconciler.exporting.yamltext import Block
from reconciler.manifest.fields import NonBlank, StrictModel
from reconciler.manifest.section import Section, Site
from reconciler.resources.gated import read_gated
from reconciler.resources.names import is_uuid
from reconciler.resources.policy_files import LocalBundle, digest, read_bundle

if TYPE_CHECKING:
    from reconciler.manifest import Manifest

KEY = "config_policies"
WHERE = f"organization_settings.{KEY}"
# The policy context CircleCI evaluates pipeline configs in (the CLI's default).
POLICY_CONTEXT = "config"
# Where export writes the bundle, relative to the exported manifest.
EXPORT_DIRECTORY = "policies"


class ConfigPolicies(StrictModel):
    """Config policies (Rego) and whether CircleCI evaluates them. Each key is managed only
    when written."""

    directory: NonBlank | None = None
    """Directory of the policy bundle, relative to this file: every `*.rego` file under it
    (at any depth) is a policy, named by its `policy_name` rule. Authoritative: a policy in
    CircleCI that no file declares is deleted."""
    enabled: StrictBool | None = None
    """Whether CircleCI evaluates pipeline configs against the policies."""


def _rules(site: Site) -> list[Problem]:
    """The directory exists and every policy file in it can be uploaded (offline)."""
    if not isinstance(site.value, dict) or not isinstance(site.value.get("directory"), str):
        return []
    written = site.value["directory"]
    where = site.doc.positions.value((*site.path, "directory"))
    found = read_bundle(site.doc.directory, written)
    return [where.problem(f"{WHERE}.directory: {p}") for p in found.problems]


CONFIG_POLICIES: Section[ConfigPolicies] = Section(
    owner="organization",
    key=KEY,
    annotation=ConfigPolicies | None,
    description="Config policies: the Rego bundle (a directory) and decision settings.",
    rules=_rules,
)


def policy_address(name: str) -> str:
    return f"organization.config_policy[{name}]"


def base_path(org_id: str) -> str:
    return f"/owner/{seg(org_id)}/context/{POLICY_CONTEXT}"


@dataclass
class Policies:
    """What this run learnt of the bundle: the local files (path, content by policy name)
    and CircleCI's texts by name; the upload apply makes once, and its outcome."""

    local: dict[str, dict[str, str]] = field(default_factory=dict)
    live: dict[str, str] = field(default_factory=dict)
    upload: dict[str, str] = field(default_factory=dict)
    uploaded: bool = False
    failed: str = ""


_UPLOAD = threading.Lock()  # apply's workers: the first one uploads, the others wait


def declared(manifest: Manifest) -> ConfigPolicies | None:
    return CONFIG_POLICIES.of(manifest.organization_settings)


# Policies are addressed by the organization's id: CircleCI may list one without it.
_NO_ID = "CircleCI gave no id for this organization"


def _why(exc: ApiError) -> str:
    """Why config policies could not be read, for a note or an error."""
    if exc.api_message == _NO_ID:
        return f"{_NO_ID}, and config policies are addressed by organization id"
    return (
        f"CircleCI refused to show config policies (HTTP {exc.status}: "
        f"{exc.api_message}): the feature is not available to this organization (it "
        "needs the Scale plan, or CircleCI server 4.2 or later), or the token is not an "
        "organization admin"
    )


def read(
    ctx: FetchContext, managed: str | None, route: str, get: Callable[[str], Json | None]
) -> tuple[str, Json] | None:
    """(path, CircleCI's answer) for `route` under the organization's policy routes, read as
    every gated setting is (resources/gated.py): a refusal is one note, recorded once for
    both policy kinds, unless the manifest manages `managed`, which stops the plan."""

    def attempt() -> tuple[str, Json]:
        if not is_uuid(ctx.org_id):
            raise NotFound(_NO_ID)
        path = f"{base_path(ctx.org_id)}/{route}"
        answer = get(path)
        if answer is None:
            raise NotFound("not found", method="GET", path=path)
        return path, answer

    def refused(exc: ApiError) -> ReconcilerError:
        return ReconcilerError(
            f"{WHERE}.{managed} is in the manifest, but {_why(exc)}; nothing was planned or changed"
        )

    return read_gated(ctx, ConfigPolicyKind.name, managed is not None, attempt, refused, _why)


def _local(manifest: Manifest) -> LocalBundle | None:
    found = declared(manifest)
    if found is None or found.directory is None:
        return None
    base = manifest.directory_of("organization_settings", KEY, "directory") or Path.cwd()
    bundle = read_bundle(base, found.directory)
    if bundle.problems:
        where = manifest.value_position("organization_settings", KEY, "directory")
        raise ManifestError([where.problem(f"{WHERE}.directory: {p}") for p in bundle.problems])
    return bundle


def _shape(method: str, path: str, why: str) -> ApiError:
    return ApiError(
        f"CircleCI sent a policy bundle answer of an unexpected shape ({why}); nothing was "
        "planned or changed",
        method=method,
        path=path,
    )


class ConfigPolicyKind(Kind):
    name = "config_policy"
    label = "config policy"
    section = CONFIG_POLICIES

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        bundle = _local(ctx.manifest)
        if bundle is None:
            return [], []
        out = [
            Resource(
                kind=self.name,
                address=policy_address(f.name),
                name=f.name,
                fields={"sha256": digest(f.content)},
            )
            for f in bundle.files
        ]
        reason = f"not in {bundle.shown}, which holds the whole policy bundle"
        if not bundle.files:  # said plainly: an empty directory deletes every policy
            reason = f"{bundle.shown} holds no .rego file, so the policy bundle is to be empty"
        return out, [Scope(None, self.name, ("*",), reason)]

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        found = declared(ctx.manifest)
        managed = "directory" if found is not None and found.directory is not None else None
        got = read(ctx, managed, "policy-bundle", lambda p: ctx.api.exchange_object("GET", p))
        if got is None:
            return []
        path, answer = got
        # A broken answer is never an empty bundle: the upload replaces the whole bundle, so
        # a policy missed here would be deleted without being planned.
        live = ctx.facts(Policies).live
        for name, docs in answer.items():
            if not isinstance(docs, list) or not all(
                isinstance(d, dict) and isinstance(d.get("content"), str) for d in docs
            ):
                raise _shape("GET", path, f"policy {name} has no text")
            if docs:
                latest = max(docs, key=lambda d: str(d.get("created_at") or ""))
                live[str(name)] = latest["content"]
        return [self._live(name, text) for name, text in sorted(live.items())]

    def _live(self, name: str, text: str) -> Resource:
        return Resource(
            kind=self.name,
            address=policy_address(name),
            name=name,
            fields={"sha256": digest(text)},
        )

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """When the manifest's bundle differs from CircleCI's, CircleCI's dry run judges it:
        a bundle it refuses stops the plan with its message, and a policy it holds in its
        own spelling of the same text is not planned."""
        state = ctx.facts(Policies)
        if (None, self.name) in ctx.unreadable:
            return resources
        bundle = _local(ctx.manifest)
        if bundle is None:
            return resources
        state.local = {f.name: {"path": f.path, "content": f.content} for f in bundle.files}
        want = {f.name: digest(f.content) for f in bundle.files}
        have = {r.name: r.fields["sha256"] for r in resources}
        if want == have:
            return resources
        path = f"{base_path(ctx.org_id)}/policy-bundle"
        try:  # a dry run changes nothing: safe to repeat
            answer = ctx.api.exchange_object(
                "POST", path, {"policies": bundle.upload()}, params={"dry": "true"}
            )
        except ApiError as exc:
            if exc.status not in (400, 413):
                raise
            raise ReconcilerError(
                f"CircleCI refuses the policy bundle in {bundle.shown} "
                f"(HTTP {exc.status}): {exc.api_message}; nothing was planned or changed"
            ) from None
        named = [(answer or {}).get(key) or [] for key in ("created", "modified", "deleted")]
        if not all(isinstance(names, list) for names in named):
            raise _shape("POST", path, "the dry run's lists of policies are not lists")
        created, modified, deleted = ({str(n) for n in names} for names in named)
        # The dry run and the bundle read must tell one story: a policy the read missed (a
        # broken answer) would otherwise be deleted, or changed, without being planned.
        if (created, deleted) != (want.keys() - have.keys(), have.keys() - want.keys()) or not (
            modified <= want.keys() & have.keys()
        ):
            raise _shape("POST", path, "its dry run disagrees with the bundle CircleCI showed")
        changing = created | modified | deleted
        for r in resources:
            if r.name in want and r.name not in changing:
                r.fields["sha256"] = want[r.name]
        return resources

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """`enabled` as CircleCI holds it, and the bundle: its files are written under
        `policies/` beside the manifest when export writes to a file, else left out (left
        alone) with a note."""
        state = ctx.fetch.facts(Policies)
        out = Block()
        notes: list[str] = []
        files = ctx.files
        if state.live and files is None:
            names = ", ".join(sorted(state.live))
            notes.append(
                f"{KEY}: the policy bundle ({names}) is left out, so left alone; export with "
                f"--output to write its .rego files under {EXPORT_DIRECTORY}/ beside the manifest"
            )
        elif state.live and files is not None:
            for name, text in sorted(state.live.items()):
                files[f"{EXPORT_DIRECTORY}/{name}.rego"] = text
            out.add("directory", f"{EXPORT_DIRECTORY}/")
        # An organization that does not use config policies (none, evaluation off) gets no
        # key: absent is hands-off, and most organizations never touch the feature.
        for r in ctx.live:
            enabled = r.fields.get("enabled") if r.kind == "config_policy_settings" else None
            if isinstance(enabled, bool) and (enabled or state.live):
                out.add("enabled", enabled)
        return Exported(out if out.entries else None, notes)

    def before_writes(self, ctx: ApplyContext, changes: list[Change]) -> None:
        """The bundle to upload: the manifest's policies this run creates or updates, and
        every other policy as it is (one outside --target keeps CircleCI's text)."""
        state = ctx.facts(Policies)
        named: dict[str, Change] = {}
        for c in changes:
            r = c.desired or c.live
            if r is not None:
                named[r.name] = c
        upload: dict[str, str] = {}
        for name, text in sorted(state.live.items()):
            if name in named:
                continue
            mine, seen = state.local.get(name), ctx.live.get(policy_address(name))
            if (
                mine is not None
                and seen is not None
                and seen.fields.get("sha256") == digest(mine["content"])
            ):
                upload[mine["path"]] = mine["content"]  # planned as equal: the manifest's
            else:  # not the manifest's, or its change is outside --target
                upload[f"<circleci>/{name}.rego"] = text
        for name, c in named.items():
            mine = state.local.get(name)
            if c.action != "delete" and mine is not None:
                upload[mine["path"]] = mine["content"]
        state.upload = upload

    def _upload(self, ctx: ApplyContext) -> None:
        state = ctx.facts(Policies)
        with _UPLOAD:
            if state.failed:
                raise ReconcilerError(state.failed)
            if state.uploaded:
                return
            try:
                ctx.api.send(
                    "POST",
                    f"{base_path(ctx.org_id)}/policy-bundle",
                    {"policies": state.upload},
                    probe=lambda: None,  # the same bundle twice is the same bundle
                )
            except ApiError as exc:
                state.failed = f"the policy bundle upload failed: {exc}"
                raise
            state.uploaded = True

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        self._upload(ctx)
        return desired

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        self._upload(ctx)
        return desired

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        self._upload(ctx)
