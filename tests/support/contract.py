"""OpenAPI contract observer: the emulator calls it for every exchange it answers; each
/api/v2 exchange is checked against the CircleCI v2 spec (tests/contract/spec_check.py), and
what breaks the spec waits in `take_violations()`, which the emulator fixture drains after
every test. Spec mistakes that recordings prove are excused narrowly (operation + status +
aspect + field + rule) by tests/contract/spec_exceptions.yaml, each with its evidence.
"""

from __future__ import annotations

import fnmatch
import os
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.contract.spec_check import PREFIX, Exchange, Violation, check
from tests.contract.spec_index import REPO_ROOT, SPEC_ENV, spec_index, spec_path

EXCEPTIONS_FILE = REPO_ROOT / "tests" / "contract" / "spec_exceptions.yaml"


@dataclass(frozen=True)
class Exemption:
    """One spec_exceptions.yaml entry: a spec mistake that recordings prove, matched narrowly."""

    id: str
    operations: tuple[str, ...]
    statuses: tuple[int, ...]
    aspect: str
    field: str
    keyword: str
    renamed_to: str | None = None

    def covers(self, v: Violation, body: Any) -> bool:
        if v.operation not in self.operations or v.status not in self.statuses:
            return False
        if (v.aspect, v.keyword) != (self.aspect, self.keyword):
            return False
        if not fnmatch.fnmatchcase(v.field, self.field):
            return False
        # A renamed field is excused only where the object really carries the other spelling.
        return self.renamed_to is None or self.renamed_to in _parent(body, v.field)


def load_exemptions(path: Path = EXCEPTIONS_FILE) -> list[Exemption]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    out = []
    for e in data.get("exceptions") or []:
        if not e.get("evidence"):
            raise ValueError(f"spec exception {e.get('id')!r} names no evidence")
        out.append(
            Exemption(
                id=e["id"],
                operations=tuple(e["operations"]),
                statuses=tuple(int(s) for s in e["statuses"]),
                aspect=e["aspect"],
                field=str(e["field"]),
                keyword=e["keyword"],
                renamed_to=e.get("renamed_to"),
            )
        )
    return out


def _parent(doc: Any, pointer: str) -> Mapping[str, Any]:
    for part in [p for p in pointer.split("/")[:-1] if p]:
        if isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        elif isinstance(doc, dict):
            doc = doc.get(part.replace("~1", "/").replace("~0", "~"))
    return doc if isinstance(doc, dict) else {}


class ContractObserver:
    """The emulator's observer: `observer(request, response)` per /api/v2 exchange, from any
    server thread. Violations wait in `take_violations()`; coverage in `checked()`."""

    def __init__(
        self, spec_file: Path | str | None = None, exemptions: list[Exemption] | None = None
    ) -> None:
        self.index = spec_index(str(spec_file or spec_path()))
        self.exemptions = load_exemptions() if exemptions is None else exemptions
        self._lock = threading.Lock()
        self._violations: list[str] = []
        self._counts: Counter[tuple[str, int]] = Counter()  # (operationId, status) -> exchanges
        self.exempted: Counter[str] = Counter()  # exemption id -> violations it excused

    def __call__(self, request: Any, response: Any) -> None:
        path = request.path
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            return  # v1.1 and /_emulator/ are not in the spec
        try:
            self.observe(Exchange.from_werkzeug(request, response))
        except Exception as exc:  # never break the server thread; never echo the exchange
            with self._lock:
                self._violations.append(
                    f"{request.method} {path}: contract check crashed ({type(exc).__name__})"
                )

    def observe(self, ex: Exchange) -> list[Violation]:
        """Check one exchange, keep what the exemptions do not excuse, and count it."""
        operation, found, request_body, response_body = check(self.index, ex)
        kept = []
        for v in found:
            body = request_body if v.aspect.startswith("request") else response_body
            hit = next((e for e in self.exemptions if e.covers(v, body)), None)
            if hit is None:
                kept.append(v)
            else:
                with self._lock:
                    self.exempted[hit.id] += 1
        with self._lock:
            self._counts[(operation, ex.status)] += 1
            self._violations.extend(v.message() for v in kept)
        return kept

    def take_violations(self) -> list[str]:
        with self._lock:
            taken, self._violations = self._violations, []
        return taken

    def restore(self, violations: list[str]) -> None:
        """Put taken violations back, ahead of newer ones."""
        with self._lock:
            self._violations[:0] = violations

    def counts(self) -> Counter[tuple[str, int]]:
        """(operationId, status) -> exchanges checked so far in this process."""
        with self._lock:
            return Counter(self._counts)

    def checked(self) -> dict[str, int]:
        """operationId -> exchanges checked so far in this process."""
        out: Counter[str] = Counter()
        for (operation, _), n in self.counts().items():
            out[operation] += n
        return dict(out)

    def statuses(self) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for operation, status in self.counts():
            out.setdefault(operation, set()).add(status)
        return out


@contextmanager
def off_contract(observer: ContractObserver | None, *expected: str) -> Iterator[list[str]]:
    """Wrap requests a test breaks the spec with on purpose (say, a malformed body to provoke
    a 400). On exit, each violation raised inside must contain one of `expected`, and each of
    `expected` must have been raised; violations from before the block stay for teardown."""
    if observer is None:
        yield []
        return
    before = observer.take_violations()
    seen: list[str] = []
    try:
        yield seen
    finally:
        seen.extend(observer.take_violations())
        observer.restore(before)
    stray = [m for m in seen if not any(e in m for e in expected)]
    unseen = [e for e in expected if not any(e in m for m in seen)]
    assert not stray and not unseen, f"unexpected violations {stray}; never raised {unseen}"


def missing_spec_reason() -> str | None:
    path = spec_path()
    if path.is_file():
        return None
    return f"OpenAPI spec not found at {path} (set ${SPEC_ENV}); contract checks are off"


def make_observer() -> ContractObserver | None:
    """An observer, or None where the spec is absent; under CI=true that is a failure."""
    reason = missing_spec_reason()
    if reason is None:
        return ContractObserver()
    if os.environ.get("CI") == "true":
        pytest.fail(reason + "; under CI they may not be skipped")
    return None


@pytest.fixture(scope="session")
def contract_observer() -> ContractObserver | None:
    return make_observer()
