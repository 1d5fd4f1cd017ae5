"""The kinds' shared facts: one typed instance per fact per run, and a copy for the writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from reconciler.core import Facts


@dataclass
class Seen:
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class Other:
    value: str = ""


def test_one_instance_per_fact_made_on_first_use() -> None:
    facts = Facts()
    facts.get(Seen).names["a"] = "1"
    assert facts.get(Seen).names == {"a": "1"}
    assert facts.get(Other) == Other()
    assert facts.get(Seen) is facts.get(Seen)


def test_threads_asking_at_once_share_one_instance() -> None:
    facts = Facts()
    with ThreadPoolExecutor(max_workers=16) as pool:
        found = list(pool.map(lambda _: facts.get(Seen), range(200)))
    assert all(f is found[0] for f in found)


def test_a_copy_is_independent_of_the_original() -> None:
    facts = Facts()
    facts.get(Seen).names["a"] = "1"
    copied = facts.copy()
    copied.get(Seen).names["b"] = "2"
    copied.get(Other).value = "x"
    assert facts.get(Seen).names == {"a": "1"}
    assert copied.get(Seen).names == {"a": "1", "b": "2"}
    assert facts.get(Other).value == ""
