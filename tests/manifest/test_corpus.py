"""The invalid corpus: one fault per file, the exact position and plain words for each.

Each file under invalid/ starts with `# expect: LINE:COL: words` (the comment is line 1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.manifest.support import JARGON, problems_of, where

CORPUS = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))
EXPECT = re.compile(r"# expect: (\d+):(\d+): (.+)")


def test_the_corpus_holds_at_least_40_manifests() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_each_fault_is_reported_at_its_exact_place_in_plain_words(path: Path, backend: str) -> None:
    header = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert header, f"{path.name} lacks its '# expect: LINE:COL: words' line"
    line, col, words = int(header[1]), int(header[2]), header[3]

    problems = problems_of(path)

    assert where(problems) == [(line, col)], [str(p) for p in problems]
    (problem,) = problems
    assert problem.file == str(path)
    assert words in problem.message
    assert "\n" not in problem.message
    assert not any(j in problem.message for j in JARGON), problem.message


def test_every_problem_of_a_file_is_reported_at_once_in_order(write) -> None:
    path = write(
        """\
        version: 1
        organization: gh/acme
        projets: {}
        projects:
          gh/acme/api:
            env_vars:
              1BAD: x
              GOOD: 1.5
            checkout_keys: [deploy]
        contexts:
          ' spaced': {}
        policy:
          max_deletes: -3
        """
    )
    problems = problems_of(path)
    assert where(problems) == [(3, 1), (7, 7), (8, 13), (9, 21), (11, 3), (13, 16)]
    assert problems == sorted(problems)
