"""What kinds learn during a run and share with each other (ids by name, the token's user):
one instance per type, typed by the dataclass a kind module defines, so the core and the
engine carry it without knowing what it holds."""

from __future__ import annotations

import copy
import threading
from typing import TypeVar, cast

T = TypeVar("T")


class Facts:
    """A kind-neutral store: `get(ProjectIds)` answers the one ProjectIds of this run,
    created on first use. Facts are plain data (dicts, sets, strings) so they can be copied;
    a kind guards its own read-modify-write steps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # fetch units and apply workers ask at once
        self._by_type: dict[type, object] = {}

    def get(self, cls: type[T]) -> T:
        with self._lock:
            found = self._by_type.get(cls)
            if found is None:
                found = self._by_type[cls] = cls()
            return cast(T, found)

    def copy(self) -> Facts:
        """An independent copy: writes after a plan do not change what the plan saw."""
        out = Facts()
        with self._lock:
            out._by_type = copy.deepcopy(self._by_type)
        return out
