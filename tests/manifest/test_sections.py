"""A kind owns its manifest section: a kind defined here (its module, one registry entry) gets
its key in the manifest model and schema, its offline rules, its secret references and its
policy.ignore key, with no change under reconciler/manifest/."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from reconciler.manifest import Context, IgnorePolicy, Manifest, Project
from reconciler.manifest.model import IGNORES, SECTIONS
from reconciler.resources import REGISTRY

KIND_MODULE = '''
from collections.abc import Iterator

from pydantic import BaseModel, StrictStr

from reconciler.core import ApplyContext, FetchContext, PlanContext, Resource, Scope
from reconciler.errors import Problem
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.fields import NonBlank, StrictModel
from reconciler.manifest.section import Ignore, Section, SetList, Site
from reconciler.resources.collection import CollectionKind


class Trigger(StrictModel):
    """A pipeline trigger, matched by its name."""

    source: StrictStr
    """Where events come from."""
    branches: list[NonBlank] = []
    """Branches it runs for."""
    secret: EnvVar | None = None
    """Shared secret."""


def _no_main(site: Site) -> list[Problem]:
    if isinstance(site.value, dict) and "main" in site.value:
        return [site.doc.positions.key((*site.path, "main")).problem("'main' is reserved")]
    return []


def _secrets(project: BaseModel) -> Iterator[tuple[tuple[str, ...], EnvVar]]:
    for name, trigger in (TRIGGERS.of(project) or {}).items():
        if trigger.secret is not None:
            yield (name, "secret"), trigger.secret


TRIGGERS: Section[dict[str, Trigger]] = Section(
    owner="project",
    key="triggers",
    annotation=dict[NonBlank, Trigger] | None,
    description="Pipeline triggers, by name.",
    set_lists=(SetList(("*", "branches")),),
    not_on_standalone="there are none there",
    rules=_no_main,
    secrets=_secrets,
)
IGNORED = Ignore("triggers", "Trigger names.")


class TriggerKind(CollectionKind):
    name = "trigger"
    parent_kind = "project"
    section = TRIGGERS
    collection = TRIGGERS.key
    ignore = IGNORED
    ignore_category = IGNORED.key

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        return [], []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        return []

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return desired

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        pass
'''

MANIFEST = """\
version: 1
organization: gh/acme
projects:
  gh/acme/api:
    triggers:
      nightly:
        source: github
        branches: [a, b, a]
        secret: {env: HOOK_SECRET}
      main:
        source: github
  circleci/Abc/Def:
    triggers: {}
"""

SCRIPT = """
import json, sys
from reconciler.resources import REGISTRY
from trigger_kind import TriggerKind

REGISTRY["trigger"] = TriggerKind()  # the one registry line

from reconciler.errors import ManifestError
from reconciler.manifest import Project, json_schema, load_manifest

out = {"fields": list(Project.model_fields), "schema": json_schema()}
try:
    load_manifest([sys.argv[1]])
except ManifestError as exc:
    out["problems"] = [p.message for p in exc.problems]
ok = sys.argv[1].replace("bad", "good")
out["secrets"] = [list(path) for path, _ in load_manifest([ok]).secret_refs()]
print(json.dumps(out))
"""


def test_a_kind_defined_outside_the_package_gets_its_section(tmp_path: Path) -> None:
    (tmp_path / "trigger_kind.py").write_text(KIND_MODULE, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(MANIFEST, encoding="utf-8")
    good = "\n".join(MANIFEST.splitlines()[:9]) + "\n"
    (tmp_path / "good.yaml").write_text(good.replace("[a, b, a]", "[a]"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "bad.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)

    assert out["fields"][-1] == "triggers"  # after the registry's other sections
    schema = out["schema"]
    triggers = schema["$defs"]["Project"]["properties"]["triggers"]
    assert triggers["description"] == "Pipeline triggers, by name."
    assert schema["$defs"]["Trigger"]["properties"]["source"]["description"] == (
        "Where events come from."
    )
    problems = out["problems"]
    assert "'main' is reserved" in problems
    assert any("'a' is listed twice in 'branches'" in p for p in problems), problems
    assert any(
        "'triggers' is not available to standalone" in p and p.endswith("there are none there")
        for p in problems
    ), problems
    ignore = schema["$defs"]["IgnorePolicy"]["properties"]
    assert list(ignore)[-1] == "triggers"
    assert ignore["triggers"]["description"] == "Trigger names."
    assert out["secrets"] == [["projects", "gh/acme/api", "triggers", "nightly", "secret"]]


def test_the_models_are_composed_from_the_registry_in_its_order() -> None:
    keys = [k.section.key for k in REGISTRY.values() if k.section is not None]
    assert [s.key for s in SECTIONS] == keys
    assert list(Project.model_fields) == [
        "create",
        "skip_defaults",  # the project's own keys first, then the kinds' sections
        *(s.key for s in SECTIONS if s.owner == "project"),
    ]
    assert list(Context.model_fields) == [
        "protect",
        *(s.key for s in SECTIONS if s.owner == "context"),
    ]


def test_no_manifest_module_names_a_kind_key() -> None:
    """The sections' and policy.ignore's keys are the kinds' to declare: no string in
    reconciler/manifest/ is one (beside the manifest's own top-level keys)."""
    keys = {s.key for s in SECTIONS} | {i.key for i in IGNORES}
    keys -= set(Manifest.model_fields)
    package = Path(__file__).parents[2] / "reconciler" / "manifest"
    # Not yet: defaults by pattern still lists the project sections it merges and how; a new
    # project-level kind is not offered as a default until it reads them from the sections.
    pending = {"defaults.py"}
    named = [
        f"{path.name}:{node.lineno}: {node.value}"
        for path in sorted(package.glob("*.py"))
        if path.name not in pending
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in keys
    ]
    assert not named, "\n".join(named)
    assert list(IgnorePolicy.model_fields) == [i.key for i in IGNORES]


ORG_KIND_MODULE = '''
from collections.abc import Iterator

from pydantic import BaseModel

from reconciler.core import (
    ApplyContext, ExportContext, Exported, FetchContext, Kind, PlanContext, Resource, Scope,
)
from reconciler.errors import Problem
from reconciler.exporting.yamltext import Block
from reconciler.manifest.envvar import EnvVar
from reconciler.manifest.fields import NonBlank, StrictModel
from reconciler.manifest.section import Section, SetList, Site


class Notice(StrictModel):
    """A banner shown on every pipeline page."""

    text: NonBlank
    """What it says."""
    teams: list[NonBlank] = []
    """Who sees it."""
    token: EnvVar | None = None
    """Where it is fetched with."""


def _short(site: Site) -> list[Problem]:
    if isinstance(site.value, dict) and site.value.get("text") == "x":
        where = site.doc.positions.value((*site.path, "text"))
        return [where.problem(f"too short for {site.parent}")]
    return []


def _secrets(settings: BaseModel) -> Iterator[tuple[tuple[str, ...], EnvVar]]:
    notice = NOTICE.of(settings)
    if notice is not None and notice.token is not None:
        yield ("token",), notice.token


NOTICE: Section[Notice] = Section(
    owner="organization",
    key="notice",
    annotation=Notice | None,
    description="The organization's banner.",
    set_lists=(SetList(("teams",)),),
    rules=_short,
    secrets=_secrets,
)


class NoticeKind(Kind):
    name = "notice"
    section = NOTICE
    collection = NOTICE.key

    def desired(self, ctx: PlanContext) -> tuple[list[Resource], list[Scope]]:
        notice = NOTICE.of(ctx.manifest.organization_settings)
        if notice is None:
            return [], []
        address = "organization.notice"
        return [Resource(self.name, address, "notice", fields={"text": notice.text})], []

    def fetch(self, ctx: FetchContext, parent: Resource | None) -> list[Resource]:
        return []

    def export(self, ctx: ExportContext, parent: Resource | None, live: list[Resource]) -> Exported:
        block = Block()
        for r in live:
            block.add("text", r.fields["text"])
        return Exported(value=block, notes=["read from the banner route"])

    def create(self, ctx: ApplyContext, desired: Resource) -> Resource:
        return desired

    def delete(self, ctx: ApplyContext, live: Resource) -> None:
        pass
'''

ORG_MANIFEST = """\
version: 1
organization: gh/acme
organization_settings:
  notice:
    text: x
    teams: [a, b, a]
    token: {env: NOTICE_TOKEN}
"""

ORG_SCRIPT = """
import json, sys
from reconciler.resources import REGISTRY
from notice_kind import NoticeKind

REGISTRY["notice"] = NoticeKind()  # the one registry line

from reconciler.core import FetchContext, PlanContext, Resource, State
from reconciler.engine import build_desired
from reconciler.errors import ManifestError
from reconciler.exporting.document import build
from reconciler.manifest import OrganizationSettings, json_schema, load_manifest

out = {"fields": list(OrganizationSettings.model_fields), "schema": json_schema()}
try:
    load_manifest([sys.argv[1]])
except ManifestError as exc:
    out["problems"] = [str(p) for p in exc.problems]
try:
    load_manifest([sys.argv[2], sys.argv[3]])
except ManifestError as exc:
    out["twice"] = [p.message for p in exc.problems]
good = load_manifest([sys.argv[2]])
out["secrets"] = [list(path) for path, _ in good.secret_refs()]
out["desired"] = [r.address for r in build_desired(PlanContext(manifest=good))]
fetch = FetchContext(api=None, manifest=good, org_slug="gh/acme")
live = State()
live.add([Resource("notice", "organization.notice", "notice", fields={"text": "hi"})])
kinds = {"notice": REGISTRY["notice"]}
out["export"] = build(fetch, live, kinds)
fetch.unreadable[(None, "notice")] = "HTTP 403: not on this plan"
out["refused"] = build(fetch, State(), kinds)
print(json.dumps(out))
"""


def test_an_organization_level_kind_gets_its_section_under_organization_settings(
    tmp_path: Path,
) -> None:
    """A kind owning an `organization_settings` key: the model, the schema, its rules and
    set lists with file:line:col, its secrets, one file only, and export's block, with no
    change under reconciler/manifest/ or reconciler/exporting/."""
    (tmp_path / "notice_kind.py").write_text(ORG_KIND_MODULE, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(ORG_MANIFEST, encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(
        ORG_MANIFEST.replace("text: x", "text: hello").replace("[a, b, a]", "[a]"),
        encoding="utf-8",
    )
    other = tmp_path / "other.yaml"
    other.write_text(
        "version: 1\norganization: gh/acme\norganization_settings: {}\n", encoding="utf-8"
    )
    run = subprocess.run(
        [sys.executable, "-c", ORG_SCRIPT, str(bad), str(good), str(other)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)

    assert out["fields"][-1] == "notice"  # after the registry's other sections
    schema = out["schema"]
    settings = schema["$defs"]["OrganizationSettings"]["properties"]
    assert settings["notice"]["description"] == "The organization's banner."
    assert "organization_settings" in schema["properties"]
    assert f"{bad}:5:11: too short for gh/acme" in out["problems"]
    assert any(
        p.startswith(f"{bad}:6:19:") and "'a' is listed twice in 'teams'" in p
        for p in out["problems"]
    ), out["problems"]
    assert any("organization_settings is already written in" in p for p in out["twice"])
    assert out["secrets"] == [["organization_settings", "notice", "token"]]
    assert out["desired"] == ["organization.notice"]
    assert (
        "organization_settings:\n  # read from the banner route\n  notice:\n    text: hi\n"
        in (out["export"])
    )
    assert (
        "organization_settings: {}\n  # notice: could not be read (HTTP 403: not on this plan)"
        in (out["refused"])
    )
