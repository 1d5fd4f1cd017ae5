"""Secret values: masked in every text form, never in the model before resolution, resolved
lazily from the environment or from files confined to the manifest's directory."""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path

import pytest

from reconciler.errors import SecretError
from reconciler.manifest import EnvVar, Secret, SecretResolver, load_manifest
from tests.manifest.support import HEAD, problems_of

VALUE = "s3cr3t-Value-9f8e7d"


def test_secret_is_masked_in_every_text_form(caplog: pytest.LogCaptureFixture) -> None:
    s = Secret(VALUE)
    old_style = "%s %r" % (s, s)  # noqa: UP031 - the %-operator is a way values get printed
    shown = [str(s), repr(s), f"{s}", f"{s!r}", f"{s:>30}", old_style, "{}".format(s), str([s])]  # noqa: UP032
    assert all(VALUE not in text for text in shown)
    assert str(s) == "(sensitive)"
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("value is %s", s)
        logging.getLogger("test").info("value is %r", s)
    assert VALUE not in caplog.text and "(sensitive)" in caplog.text
    assert s.reveal() == VALUE


def test_secret_compares_and_hashes_by_value_and_copies_as_itself() -> None:
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    assert len({Secret("a"), Secret("a")}) == 1
    assert copy.deepcopy(Secret("a")).reveal() == "a"
    with pytest.raises(TypeError):
        Secret(12)  # type: ignore[arg-type]


def test_the_loaded_manifest_holds_no_value_of_a_reference(write, monkeypatch) -> None:
    monkeypatch.setenv("NPM_TOKEN", VALUE)
    (Path(write(HEAD)).parent / "key.txt").write_text(VALUE)
    path = write(
        HEAD + "projects:\n  gh/acme/api:\n    env_vars:\n"
        "      NPM_TOKEN: {env: NPM_TOKEN}\n      KEY: {file: key.txt}\n      LIT: literal-abc123\n"
    )
    m = load_manifest([path])
    for text in (repr(m), str(m), m.model_dump_json(), str(m.model_dump()), repr(m.__dict__)):
        assert VALUE not in text
        assert "literal-abc123" not in text
    assert '"value":"(sensitive)"' in m.model_dump_json()
    lit = (m.projects["gh/acme/api"].env_vars or {})["LIT"]
    assert isinstance(lit.value, Secret) and lit.value.reveal() == "literal-abc123"


def test_an_unquoted_value_is_refused_without_repeating_it(write) -> None:
    problems = problems_of(write(HEAD + "contexts:\n  c:\n    env_vars: {TOKEN: 9876543210}\n"))
    assert "9876543210" not in str(problems)


def _manifest(write, env_vars: str):
    return load_manifest([write(HEAD + "contexts:\n  deploy:\n    env_vars:\n" + env_vars)])


def test_env_references_resolve_from_the_given_environment(write) -> None:
    m = _manifest(write, "      A: {env: SRC_A}\n      B: plain\n")
    resolver = SecretResolver({"SRC_A": VALUE})
    refs = m.contexts["deploy"].env_vars or {}
    assert resolver.resolve(refs["A"]).reveal() == VALUE
    assert resolver.resolve(refs["B"]).reveal() == "plain"
    resolver.resolve_all(m)


def test_the_process_environment_is_the_default(write, monkeypatch) -> None:
    monkeypatch.setenv("SRC_A", VALUE)
    m = _manifest(write, "      A: {env: SRC_A}\n")
    assert SecretResolver().resolve((m.contexts["deploy"].env_vars or {})["A"]).reveal() == VALUE


def test_values_are_read_once_and_cached(write) -> None:
    class Counting(dict[str, str]):
        reads = 0

        def get(self, key, default=None):  # type: ignore[no-untyped-def,override]
            Counting.reads += 1
            return super().get(key, default)

    m = _manifest(write, "      A: {env: SRC}\n      B: {env: SRC}\n")
    resolver = SecretResolver(Counting(SRC=VALUE))
    resolver.resolve_all(m)
    resolver.resolve_all(m)
    assert Counting.reads == 1


def test_every_missing_variable_and_file_is_one_error_with_positions(write) -> None:
    m = _manifest(
        write,
        "      A: {env: NOT_SET_1}\n      B: {file: missing.txt}\n      C: {env: NOT_SET_2}\n",
    )
    with pytest.raises(SecretError) as caught:
        SecretResolver({}).resolve_all(m)
    lines = [str(p).split(":", 1)[1] for p in caught.value.problems]
    assert lines[0] == "6:16: environment variable NOT_SET_1 is not set"
    assert lines[1].startswith("7:17: secret file 'missing.txt' not found")
    assert lines[2] == "8:16: environment variable NOT_SET_2 is not set"


def test_a_file_value_drops_one_trailing_newline(write, tmp_path: Path) -> None:
    m = _manifest(write, "      A: {file: a}\n      B: {file: sub/b}\n      C: {file: c}\n")
    (tmp_path / "a").write_text("line\n\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"crlf\r\n")
    (tmp_path / "c").write_text("")
    vars_ = m.contexts["deploy"].env_vars or {}
    r = SecretResolver({})
    assert [r.resolve(vars_[k]).reveal() for k in "ABC"] == ["line\n", "crlf", ""]


def test_files_are_relative_to_the_manifest_file_not_the_working_directory(
    write, tmp_path: Path, monkeypatch
) -> None:
    path = write(HEAD + "contexts:\n  c:\n    env_vars: {A: {file: a.txt}}\n", "team/m.yaml")
    (tmp_path / "team" / "a.txt").write_text("team value")
    (tmp_path / "a.txt").write_text("wrong value")
    monkeypatch.chdir(tmp_path)
    m = load_manifest([Path("team/m.yaml")])
    assert path.exists()
    assert (
        SecretResolver({}).resolve((m.contexts["c"].env_vars or {})["A"]).reveal() == "team value"
    )


@pytest.mark.parametrize("kind", ["file", "dir"])
def test_symlinks_out_of_the_manifest_directory_are_refused(
    write, tmp_path: Path, kind: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text(VALUE)
    root = tmp_path / "repo"
    root.mkdir()
    if kind == "file":
        (root / "link").symlink_to(outside / "secret")
        ref = "link"
    else:
        (root / "linkdir").symlink_to(outside)
        ref = "linkdir/secret"
    path = write(HEAD + f"contexts:\n  c:\n    env_vars: {{A: {{file: {ref}}}}}\n", "repo/m.yaml")
    m = load_manifest([path])
    with pytest.raises(SecretError) as caught:
        SecretResolver({}).resolve((m.contexts["c"].env_vars or {})["A"])
    assert "resolves outside the manifest's directory" in str(caught.value)
    assert VALUE not in str(caught.value)


def test_a_symlink_inside_the_manifest_directory_is_fine(write, tmp_path: Path) -> None:
    (tmp_path / "real").write_text("ok")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    m = _manifest(write, "      A: {file: alias}\n")
    assert SecretResolver({}).resolve((m.contexts["deploy"].env_vars or {})["A"]).reveal() == "ok"


def test_only_small_regular_utf8_files_are_read(write, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")  # would block a plain open()
    (tmp_path / "dir").mkdir()
    (tmp_path / "big").write_bytes(b"x" * (1024 * 1024 + 1))
    (tmp_path / "latin").write_bytes(b"caf\xe9")
    m = _manifest(
        write,
        "      A: {file: fifo}\n      B: {file: dir}\n"
        "      C: {file: big}\n      D: {file: latin}\n",
    )
    with pytest.raises(SecretError) as caught:
        SecretResolver({}).resolve_all(m)
    messages = [p.message for p in caught.value.problems]
    assert "is not a regular file" in messages[0] and "is not a regular file" in messages[1]
    assert "is larger than 1024 KiB" in messages[2]
    assert "is not UTF-8 text" in messages[3] and "caf" not in messages[3]


def test_the_resolver_refuses_the_reconcilers_own_token_even_when_built_by_hand() -> None:
    ref = EnvVar.model_construct(env="CIRCLECI_TOKEN")
    with pytest.raises(SecretError) as caught:
        SecretResolver({"CIRCLECI_TOKEN": VALUE}).resolve(ref)
    assert "own credential" in str(caught.value) and VALUE not in str(caught.value)


def test_a_value_over_circleci_limit_fails_before_any_write(write, tmp_path: Path) -> None:
    m = _manifest(write, "      BIG: {env: BIG}\n      OK: {env: OK}\n")
    resolver = SecretResolver({"BIG": "x" * (32 * 1024 + 1), "OK": "x" * (32 * 1024)})
    with pytest.raises(SecretError) as err:
        resolver.resolve_all(m)
    [problem] = err.value.problems
    assert "longer than CircleCI's 32768 characters" in problem.message
    assert (problem.line, problem.col) == (6, 18)  # where the reference names it
    assert "xxxx" not in str(err.value)


def test_a_byte_order_mark_is_not_part_of_a_file_value(write, tmp_path: Path) -> None:
    m = _manifest(write, "      A: {file: a}\n")
    (tmp_path / "a").write_bytes("\ufeffsecret\n".encode())
    vars_ = m.contexts["deploy"].env_vars or {}
    assert SecretResolver({}).resolve(vars_["A"]).reveal() == "secret"


def test_a_variable_adopted_without_its_value_loads_and_is_never_resolved(write) -> None:
    m = _manifest(write, "      A: {}\n      B: {protect: true}\n      C: {env: NOT_SET}\n")
    refs = m.contexts["deploy"].env_vars or {}
    assert refs["A"].adopted and refs["B"].adopted and refs["B"].protect
    assert not refs["C"].adopted and refs["A"].kind == "adopted"
    with pytest.raises(SecretError) as caught:
        SecretResolver({}).resolve_all(m)
    assert [p.message for p in caught.value.problems] == ["environment variable NOT_SET is not set"]
    with pytest.raises(SecretError, match="declared without a value"):
        SecretResolver({}).resolve(refs["A"])


def test_an_adopted_form_takes_protect_only(write) -> None:
    body = "contexts:\n  deploy:\n    env_vars:\n      A: {version: 1}\n      B: {x: 1}\n"
    problems = problems_of(write(HEAD + body))
    assert len(problems) == 2
    assert problems[0].message.startswith("version needs one of env, file or value")
