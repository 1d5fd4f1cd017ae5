"""Triggers of a pipeline definition (ENDPOINTS.md §12): repository events (github_app,
github_oauth), a webhook, or a schedule (cron). Written under their definition in the
manifest, by name.

CircleCI gives a trigger no name: webhook and schedule triggers carry the manifest's name as
their `event_name`; a repository trigger (which takes no event_name) is matched to the
manifest's entry with the same provider, repository and preset, else to the only entry of
its provider and repository, so a changed preset is an update. Provider and repository
cannot change (replace); neither can `disabled`, except on webhook triggers (the spec's
updateTrigger). A PATCH sends every field the trigger's provider lets change, as the
manifest has it (whether CircleCI merges a partial body is not documented). A webhook
trigger's URL carries a secret: it is never kept, shown nor exported; only that it exists.
"""

from __future__ import annotations

from typing import Any

from reconciler.client.api import Json, seg
from reconciler.core import (
    ApplyContext,
    ExportContext,
    Exported,
    FetchContext,
    Kind,
    PlanContext,
    Resource,
    Scope,
)
from reconciler.exporting.yamltext import Block, Flow
from reconciler.resources.names import child_address, manifest_projects, project_address, slug_of
from reconciler.resources.pipeline_manifest import DEFINITIONS, REPO_PROVIDERS, PipelineTrigger
from reconciler.resources.pipeline_repos import (
    LiveDefinitions,
    Repos,
    canonical,
    declared_definition,
    definitions_path,
    repo_ids,
)

NAMED = {"webhook", "schedule"}  # providers whose triggers carry an event_name


def _signature(fields: dict[str, Any]) -> tuple[str, str, str]:
    return (
        str(fields.get("provider")),
        str(fields.get("repo") or "").lower(),
        str(fields.get("event_preset") or ""),
    )


def desired_fields(ctx: PlanContext, t: PipelineTrigger, checkout_repo: object) -> dict[str, Any]:
    provider = t.provider.value
    out: dict[str, Any] = {"provider": provider, "disabled": t.disabled}
    if provider in REPO_PROVIDERS:
        out["repo"] = canonical(ctx, t.repo) if t.repo is not None else checkout_repo
    if t.event_preset is not None:
        out["event_preset"] = t.event_preset.value
    for key in ("checkout_ref", "config_ref"):
        if getattr(t, key) is not None:
            out[key] = getattr(t, key)
    if provider == "webhook":
        out["sender"] = t.sender or ""
    if provider == "schedule":
        out["cron_expression"] = t.cron_expression
        out["parameters"] = dict(t.parameters or {})
    return out


def live_fields(t: Json) -> dict[str, Any]:
    source = t.get("event_source") or {}
    provider = str(source.get("provider") or "")
    out: dict[str, Any] = {"provider": provider, "disabled": bool(t.get("disabled"))}
    if provider in REPO_PROVIDERS:
        out["repo"] = (source.get("repo") or {}).get("full_name")
    for key in ("event_preset", "checkout_ref", "config_ref"):
        if t.get(key):
            out[key] = t[key]
    if provider == "webhook":
        out["sender"] = (source.get("webhook") or {}).get("sender") or ""
    if provider == "schedule":
        out["cron_expression"] = (source.get("schedule") or {}).get("cron_expression")
        out["parameters"] = dict(t.get("parameters") or {})
    return out


class PipelineTriggerKind(Kind):
    name = "pipeline_trigger"
    parent_kind = "pipeline_definition"
    collection = "triggers"
    label = "trigger"
    immutable_fields = frozenset({"provider", "repo"})
    # Deleted one by one before their definition, so the plan and its guards count them.
    deleted_with_parent = False

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        out: list[Resource] = []
        scopes: list[Scope] = []
        for slug, project in sorted(manifest_projects(ctx.manifest).items()):
            defs = DEFINITIONS.of(project)
            if defs is None:
                continue
            parent = project_address(slug)
            declared = set()
            for def_name, d in sorted(defs.items()):
                address = child_address(parent, "pipeline_definition", def_name)
                declared.add(address)
                if d.triggers is None:
                    continue  # hands-off
                scopes.append(Scope(address, self.name))
                checkout = canonical(ctx, d.checkout_source.repo)
                for name, t in sorted(d.triggers.items()):
                    out.append(
                        Resource(
                            kind=self.name,
                            address=child_address(address, "trigger", name),
                            name=name,
                            parent=address,
                            fields=desired_fields(ctx, t, checkout),
                            signal={"attribution_actor": _enum(t.attribution_actor)},
                            protect=t.protect,
                        )
                    )
            # A definition the manifest drops goes with its triggers, each one counted.
            for address in ctx.facts(LiveDefinitions).under.get(parent, []):
                if address not in declared:
                    why = "its pipeline definition is not in the manifest"
                    scopes.append(Scope(address, self.name, reason=why))
        return out, scopes

    def wants(self, ctx: FetchContext, parent: Resource) -> bool:
        if ctx.read_all:
            return True
        project = manifest_projects(ctx.manifest).get(slug_of(parent.parent))
        return project is not None and DEFINITIONS.of(project) is not None

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        assert parent is not None
        path = f"{definitions_path(parent.ids['project_id'])}/{seg(parent.ids['id'])}/triggers"
        return [self._live(ctx, parent, t) for t in ctx.api.get_all(path)]

    def _live(self, ctx: FetchContext | ApplyContext, parent: Resource, t: Json) -> Resource:
        fields = live_fields(t)
        ctx.facts(Repos).learn((t.get("event_source") or {}).get("repo"))
        name = str(t.get("event_name") or "") if fields["provider"] in NAMED else ""
        name = name or str(fields.get("event_preset") or fields["provider"])
        webhook = (t.get("event_source") or {}).get("webhook") or {}
        return Resource(
            kind=self.name,
            address=child_address(parent.address, "trigger", name),
            name=name,
            parent=parent.address,
            fields=fields,
            # The webhook URL carries a secret: only whether there is one is kept.
            signal={"webhook_url": bool(webhook.get("url"))},
            ids={
                "id": t.get("id"),
                "project_id": parent.ids.get("project_id"),
                "definition_id": parent.ids.get("id"),
                "definition": parent.name,
                "project": parent.parent,
            },
        )

    def settle(self, ctx: FetchContext, resources: list[Resource]) -> list[Resource]:
        """Names for repository triggers (the manifest's, where one matches), and one
        address per trigger (a second with the same name goes by id)."""
        by_parent: dict[str, list[Resource]] = {}
        for r in resources:
            by_parent.setdefault(r.parent or "", []).append(r)
        for group in by_parent.values():
            first = group[0]
            d = declared_definition(ctx, first.ids.get("project"), str(first.ids["definition"]))
            wanted: dict[str, dict[str, Any]] = {}
            if d is not None and d.triggers:
                pctx = PlanContext(manifest=ctx.manifest, fetch=ctx)
                checkout = canonical(pctx, d.checkout_source.repo)
                wanted = {n: desired_fields(pctx, t, checkout) for n, t in d.triggers.items()}
            _name_repo_triggers(group, wanted)
        return resources

    # --- export -----------------------------------------------------------------------
    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        """The triggers of one definition (`parent`), which writes them under its entry."""
        assert parent is not None
        checkout = parent.fields.get("checkout_repo")
        block = Block()
        for r in sorted(live, key=lambda r: r.name):
            block.add(r.name, self.export_one(r, checkout))
        return Exported(block)

    def export_one(self, r: Resource, checkout: object) -> Block:
        f, out = r.fields, Block()
        for key in ("provider", "event_preset", "repo", "sender", "cron_expression"):
            if f.get(key) and not (key == "repo" and f[key] == checkout):
                out.add(key, f[key])
        for key in ("checkout_ref", "config_ref"):
            if f.get(key):
                out.add(key, f[key])
        if f.get("parameters"):
            out.add("parameters", Flow(dict(sorted(f["parameters"].items()))))
        if f["disabled"]:
            out.add("disabled", True)
        if r.signal.get("webhook_url"):
            out.notes.append("CircleCI made a URL with a secret for this webhook: see its UI")
        if f["provider"] == "schedule":
            out.notes.append(
                "attribution_actor: CircleCI does not report it; the next write sends `current`"
            )
        return out

    # --- writes -----------------------------------------------------------------------
    def _body(self, ctx: ApplyContext, desired: Resource) -> Json:
        f = desired.fields
        source: Json = {"provider": f["provider"]}
        if "repo" in f:
            source["repo"] = {"external_id": _repo_id(ctx, f["repo"])}
        if f["provider"] == "webhook" and f.get("sender"):
            source["webhook"] = {"sender": f["sender"]}
        if f["provider"] == "schedule":
            source["schedule"] = self._schedule(desired)
        body: Json = {"event_source": source}
        for key in ("event_preset", "checkout_ref", "config_ref"):
            if key in f:
                body[key] = f[key]
        if f["provider"] in NAMED:
            body["event_name"] = desired.name
        if f["provider"] == "schedule":
            body["parameters"] = f["parameters"]
        if f["disabled"]:
            body["disabled"] = True
        return body

    @staticmethod
    def _schedule(desired: Resource) -> Json:
        actor = desired.signal.get("attribution_actor") or "current"
        return {"cron_expression": desired.fields["cron_expression"], "attribution_actor": actor}

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        parent = ctx.live.get(desired.parent or "")
        ids = ctx.parent_ids(desired.parent)
        path = f"{definitions_path(ids['project_id'])}/{seg(ids['id'])}/triggers"
        known = {r.ids.get("id") for r in ctx.live.values() if r.kind == self.name}

        def probe() -> Json | None:
            want = _signature(desired.fields)
            for t in ctx.api.get_all(path):
                if t.get("id") in known:
                    continue
                f = live_fields(t)
                if (f["provider"] in NAMED and t.get("event_name") == desired.name) or (
                    f["provider"] not in NAMED and _signature(f) == want
                ):
                    return t
            return None

        answer = ctx.api.send("POST", path, self._body(ctx, desired), probe=probe)
        assert parent is not None
        made = _renamed(self._live(ctx, parent, answer), desired.name)
        if made.fields.get("provider") == "webhook":
            # Its sender needs the URL CircleCI made, which carries a secret: never shown here.
            made.signal["note"] = (
                "CircleCI made this trigger's URL (it carries a secret, so it is not shown): "
                "copy it from the project's triggers in CircleCI's UI into the sender"
            )
        return made

    def must_replace(self, desired: Resource, live: Resource, changed: list[str]) -> bool:
        if set(changed) & self.immutable_fields:
            return True
        return "disabled" in changed and desired.fields["provider"] != "webhook"

    def update(
        self, ctx: ApplyContext, desired: Resource, live: Resource, changed: list[str]
    ) -> Resource | None:
        f = desired.fields
        body: Json = {k: f[k] for k in ("event_preset", "checkout_ref", "config_ref") if k in f}
        if f["provider"] == "webhook":
            body["disabled"] = f["disabled"]
            body["event_source"] = {"webhook": {"sender": f["sender"]}}
        if f["provider"] == "schedule":
            body["event_source"] = {"schedule": self._schedule(desired)}
            body["parameters"] = f["parameters"]
        answer = ctx.api.send("PATCH", _trigger_path(live), body)
        parent = ctx.live.get(live.parent or "")
        return _renamed(self._live(ctx, parent, answer), desired.name) if parent else None

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        ctx.api.delete(_trigger_path(live))


def export_triggers(ctx: ExportContext, definition: Resource) -> Block | None:
    """A definition's triggers as the manifest writes them; None when they were not read."""
    if (definition.address, PipelineTriggerKind.name) in ctx.fetch.unreadable:
        return None
    kind = PipelineTriggerKind()
    mine = [r for r in ctx.live if r.kind == kind.name and r.parent == definition.address]
    value = kind.export(ctx, definition, mine).value
    return value if isinstance(value, Block) else None


def _name_repo_triggers(group: list[Resource], wanted: dict[str, dict[str, Any]]) -> None:
    taken = set(wanted)
    named = [r for r in group if r.fields["provider"] in NAMED]
    repo = [r for r in group if r.fields["provider"] not in NAMED]
    free = {n: f for n, f in wanted.items() if f["provider"] not in NAMED}
    pending: list[Resource] = []
    unmatched: list[Resource] = []
    # One the manifest could keep goes first: after a replace cut short (the new trigger
    # made, the old not yet deleted) the new one keeps the name and only the old one goes.
    repo.sort(key=lambda r: not _keepable(r, wanted))
    named.sort(key=lambda r: (not _keepable(r, wanted), str(r.ids.get("id"))))
    for r in repo:  # the same provider, repository and preset
        match = next((n for n, f in free.items() if _signature(f) == _signature(r.fields)), None)
        if match is None:
            pending.append(r)
            continue
        del free[match]
        _renamed(r, match)
    for r in pending:  # else the only one of its provider and repository on both sides
        same = [n for n, f in free.items() if _signature(f)[:2] == _signature(r.fields)[:2]]
        peers = [p for p in pending if _signature(p.fields)[:2] == _signature(r.fields)[:2]]
        if len(same) == 1 and len(peers) == 1:
            del free[same[0]]
            _renamed(r, same[0])
        else:
            unmatched.append(r)
    seen: set[str] = set()
    for r in named:
        if r.name in seen:
            _renamed(r, f"{r.name}:{r.ids.get('id')}")
        seen.add(r.name)
    for r in unmatched:  # a made-up name never takes a manifest's
        if r.name in seen or r.name in taken:
            _renamed(r, f"{r.name}:{r.ids.get('id')}")
        seen.add(r.name)


def _keepable(r: Resource, wanted: dict[str, dict[str, Any]]) -> bool:
    """Whether a manifest trigger this one may be could keep it without a replace."""
    same = [
        f
        for n, f in wanted.items()
        if (n == r.name if f["provider"] in NAMED else _signature(f) == _signature(r.fields))
    ]
    return any(
        f["provider"] == r.fields["provider"]
        and f.get("repo") == r.fields.get("repo")
        and (f["disabled"] == r.fields["disabled"] or f["provider"] == "webhook")
        for f in same
    )


def _renamed(r: Resource, name: str) -> Resource:
    r.name = name
    r.address = child_address(r.parent or "", "trigger", name)
    return r


def _repo_id(ctx: ApplyContext, full_name: object) -> str:
    return repo_ids(ctx, [str(full_name)])[str(full_name).lower()]


def _trigger_path(live: Resource) -> str:
    return f"/projects/{seg(str(live.ids['project_id']))}/triggers/{seg(str(live.ids['id']))}"


def _enum(value: object) -> str | None:
    return None if value is None else str(getattr(value, "value", value))
