"""Drift: the live organization compared with the manifest, per object, as a report dict.

Built from the same diff as a plan, read the other way: a planned create is a missing
object, an update a changed one, a delete an extra one. Live objects nobody manages are
listed as unmanaged, and secrets rewritten by hand since the last apply (per the ledger's
`updated_at`) as tampered.
"""

from __future__ import annotations

from typing import Any

from reconciler.core import SENSITIVE, owner_index, split_notes
from reconciler.engine import PlanResult
from reconciler.resources import REGISTRY

FORMAT_VERSION = 1
STATUSES = ("ok", "changed", "missing", "extra", "unmanaged", "tampered")


def _field_rows(change: Any) -> list[dict[str, Any]]:
    before, after = change.before or {}, change.after or {}
    write_only = REGISTRY[change.kind].secret_fields
    rows = []
    for name in change.changed:
        secret = name in change.sensitive
        row = {
            "field": name,
            "manifest": SENSITIVE if secret else after.get(name),
            "live": SENSITIVE if secret else before.get(name),
        }
        if name in write_only and not secret:
            # Written in the manifest itself (it is in git already): shown; the live value
            # never is, and renderers keep masking it.
            row["literal"] = True
        rows.append(row)
    return rows


def secret_fields() -> dict[str, frozenset[str]]:
    """Kind -> its write-only fields, for renderers to mask whatever a report holds."""
    return {name: kind.secret_fields for name, kind in REGISTRY.items() if kind.secret_fields}


def drift_report(result: PlanResult, ledger: Any = None) -> dict[str, Any]:
    objects: dict[str, dict[str, Any]] = {}
    for c in result.plan.changes:
        status = {"create": "missing", "delete": "extra"}.get(c.action, "changed")
        entry: dict[str, Any] = {
            "address": c.address,
            "kind": c.kind,
            "status": status,
            "detail": c.reason,
        }
        if status == "changed":
            entry["fields"] = _field_rows(c)
        objects[c.address] = entry

    def ignored(r: Any) -> bool:  # by policy.ignore, itself or through its parent
        return r.address in result.ignored or r.parent in result.ignored

    for r in result.desired:
        live = result.live.get(r.address)
        if live is None or ignored(r):
            continue  # missing (listed above) or ignored by policy
        # An adopted variable's value is managed elsewhere: a later write is no tampering.
        watched = ledger is not None and not r.adopted
        when = ledger.tampered(r.address, live.signal) if watched else None
        if when:
            entry = objects.get(r.address) or {"address": r.address, "kind": r.kind}
            entry["status"] = "tampered"
            entry["detail"] = f"changed outside the reconciler at {when}"
            objects[r.address] = entry
        elif r.address not in objects:
            objects[r.address] = {
                "address": r.address,
                "kind": r.kind,
                "status": "ok",
                "detail": "",
            }

    owner = owner_index(result.desired.scopes)
    for r in result.live:
        if r.address in objects or r.address in result.desired:
            continue
        if owner(r) is not None:
            continue  # owned: ignored by policy, or folded into a parent's deletion
        if not ignored(r):
            objects[r.address] = {
                "address": r.address,
                "kind": r.kind,
                "status": "unmanaged",
                "detail": "live in CircleCI, not in the manifest",
            }

    items = sorted(objects.values(), key=lambda o: o["address"])
    notes, object_notes = split_notes(result.plan.notes)
    summary = {s: sum(1 for o in items if o["status"] == s) for s in STATUSES}
    return {
        "format_version": FORMAT_VERSION,
        "organization": result.plan.organization,
        "checksum": result.plan.checksum,
        # Unmanaged objects are reported, but they are outside what the manifest claims.
        "in_sync": all(o["status"] in ("ok", "unmanaged") for o in items),
        "summary": summary,
        "objects": items,
        "notes": notes,
        "object_notes": object_notes,
    }
