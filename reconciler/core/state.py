"""State: address -> normalised Resource, plus the collections the manifest owns."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from reconciler.core.resource import Resource, Scope
from reconciler.errors import ReconcilerError


@dataclass
class State:
    resources: dict[str, Resource] = field(default_factory=dict)
    scopes: set[Scope] = field(default_factory=set)

    def add(self, items: Iterable[Resource]) -> None:
        for r in items:
            if r.address in self.resources:
                # Silently keeping one would hide the other from plan and drift.
                raise ReconcilerError(f"two objects share the address {r.address}")
            self.resources[r.address] = r

    def __contains__(self, address: object) -> bool:
        return address in self.resources

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)

    def get(self, address: str) -> Resource | None:
        return self.resources.get(address)

    def checksum(self, only: set[str] | None = None) -> str:
        """Digest of everything a plan was based on; a saved plan is refused when it moves.
        `only` limits it to the addresses that could change the plan."""
        canon = [
            [r.address, r.fields, r.signal, r.ids]
            for r in sorted(self.resources.values(), key=lambda r: r.address)
            if only is None or r.address in only
        ]
        blob = json.dumps(canon, sort_keys=True, default=str, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()
