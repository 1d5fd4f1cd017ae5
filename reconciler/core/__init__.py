"""The neutral core: what diff, plan, engine and every kind share. It imports no kind."""

from reconciler.core.change import ACTIONS, FORMAT_VERSION, Change, Note, Plan, split_notes
from reconciler.core.context import ApplyContext, FetchContext, PlanContext
from reconciler.core.export import ExportContext, Exported
from reconciler.core.facts import Facts
from reconciler.core.kind import Kind
from reconciler.core.resource import (
    SENSITIVE,
    Action,
    Reason,
    Resource,
    Scope,
    SecretVerdict,
    ignored,
    owner,
    owner_index,
)
from reconciler.core.state import State

__all__ = [
    "ACTIONS",
    "FORMAT_VERSION",
    "SENSITIVE",
    "Action",
    "ApplyContext",
    "Change",
    "ExportContext",
    "Exported",
    "Facts",
    "FetchContext",
    "Kind",
    "Note",
    "Plan",
    "PlanContext",
    "Reason",
    "Resource",
    "Scope",
    "SecretVerdict",
    "State",
    "ignored",
    "owner",
    "owner_index",
    "split_notes",
]
