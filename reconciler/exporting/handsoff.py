"""Live objects an exported manifest must leave alone, and the `policy.ignore` section that
names them. A collection written in a manifest is authoritative, so an object that cannot be
written back faithfully is never silently dropped (apply would delete it): it is named here,
with a comment saying why."""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.exporting.yamltext import Block

_GLOB_SPECIAL = {"[": "[[]", "*": "[*]", "?": "[?]"}


def literal_glob(name: str) -> str:
    """A glob matching exactly `name`."""
    return "".join(_GLOB_SPECIAL.get(ch, ch) for ch in name)


@dataclass
class HandsOff:
    """Live objects the manifest must leave alone: policy.ignore category -> names."""

    names: dict[str, set[str]] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)

    def add(self, category: str, name: str, why: str) -> None:
        self.names.setdefault(category, set()).add(name)
        self.why.append(why)

    def policy(self) -> Block:
        ignore = Block()
        for category in sorted(self.names):
            ignore.add(category, sorted(literal_glob(n) for n in self.names[category]))
        out = Block()
        out.add(
            "ignore", ignore, before=["Live objects this export could not write back faithfully:"]
        )
        out.entries[0].before += [f"  {w}" for w in sorted(self.why)]
        return out
