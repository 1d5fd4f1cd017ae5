"""Offline validation of `organization_settings.config_policies`: the policy directory and
every Rego file in it, each problem at the `directory` value's file:line:col."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reconciler.manifest import load_manifest
from reconciler.resources.policy_files import MAX_BUNDLE_BYTES, read_bundle
from tests.manifest.support import problems_of, where

MANIFEST = """\
version: 1
organization: gh/acme
organization_settings:
  config_policies:
    enabled: true
    directory: policies
"""


def rego(name: str) -> str:
    return f'package org\n# the policy\npolicy_name["{name}"]\n'


def files(root: Path, contents: dict[str, bytes | str]) -> None:
    for rel, body in contents.items():
        path = root / "policies" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")


def test_a_valid_directory_loads_and_its_names_come_from_policy_name(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    path = write(MANIFEST)
    files(tmp_path, {"a.rego": rego("first"), "deep/b.rego": rego("second"), "c.txt": "x"})
    load_manifest([path])
    bundle = read_bundle(tmp_path, "policies")
    assert [(f.path, f.name) for f in bundle.files] == [
        ("a.rego", "first"),
        ("deep/b.rego", "second"),
    ]


def test_a_byte_order_mark_is_not_part_of_the_policy(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """A file saved with a BOM (Windows editors) is a valid policy: the text after the mark
    is what is named, compared and uploaded."""
    path = write(MANIFEST)
    files(tmp_path, {"a.rego": b"\xef\xbb\xbf" + rego("first").encode()})
    load_manifest([path])
    [policy] = read_bundle(tmp_path, "policies").files
    assert (policy.name, policy.content) == ("first", rego("first"))


def test_unreadable_files_duplicates_and_unnamed_policies_at_the_directory_key(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    path = write(MANIFEST)
    files(
        tmp_path,
        {
            "a.rego": rego("same"),
            "b.rego": rego("same"),
            "binary.rego": b"\xff\xfe policy",
            "nameless.rego": "package org\nallow { true }\n",
            "dashed.rego": rego("not-a-name"),
        },
    )
    problems = problems_of(path)
    assert set(where(problems)) == {(6, 16)}
    assert all(p.file == str(path) for p in problems)
    messages = "\n".join(p.message for p in problems)
    assert "policies/binary.rego is not UTF-8 text" in messages
    assert "policy same is declared by both policies/a.rego and policies/b.rego" in messages
    assert "policies/nameless.rego: its first rule must be policy_name" in messages
    assert "policy_name 'not-a-name' must be 1 to 80 letters" in messages


def test_a_bundle_above_the_upload_limit_and_a_file_as_directory(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    path = write(MANIFEST)
    files(tmp_path, {"big.rego": rego("big") + "#" * MAX_BUNDLE_BYTES})
    [problem] = problems_of(path)
    assert "CircleCI refuses bundles above" in problem.message
    other = write(MANIFEST.replace("directory: policies", "directory: manifest.yaml"), "m2.yaml")
    [problem] = problems_of(other)
    assert "policy directory manifest.yaml is not a directory" in problem.message


def test_the_directory_stays_inside_the_manifests_tree(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    (outside / "p").mkdir(parents=True)
    (outside / "p" / "a.rego").write_text(rego("a"), encoding="utf-8")
    for written in (str(outside / "p"), f"../{outside.name}/p"):
        path = write(MANIFEST.replace("directory: policies", f"directory: {written}"))
        [problem] = problems_of(path)
        assert "must be a relative path inside the manifest's directory" in problem.message
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "link.rego").symlink_to(outside / "p" / "a.rego")
    [problem] = problems_of(write(MANIFEST))
    assert "policies/link.rego links outside the manifest's directory" in problem.message
