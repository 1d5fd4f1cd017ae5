"""What an apply says at its end, finished or interrupted: pure text from the planned
addresses and the outcomes reported so far, so whichever layer runs the writes can call it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.render.values import clean

STATUSES = ("done", "failed", "skipped")
LISTED = 10  # addresses named per group; the rest are counted


def finished_summary(outcomes: Mapping[str, str]) -> str:
    """`outcomes`: address -> done | failed | skipped."""
    n = {s: sum(1 for v in outcomes.values() if v == s) for s in STATUSES}
    return f"Apply finished: {n['done']} done, {n['failed']} failed, {n['skipped']} skipped."


def _listed(addresses: Sequence[str]) -> list[str]:
    out = [f"    {clean(a)}" for a in addresses[:LISTED]]
    if len(addresses) > LISTED:
        out.append(f"    and {len(addresses) - LISTED} more")
    return out


def interrupted_summary(planned: Sequence[str], outcomes: Mapping[str, str]) -> str:
    """Which changes finished (and how), which did not start or were cut short, and what to do.
    A change cut short may or may not have reached CircleCI: the next plan reads what is there."""
    finished = [a for a in planned if a in outcomes]
    left = [a for a in planned if a not in outcomes]
    n = {s: sum(1 for a in finished if outcomes[a] == s) for s in STATUSES}
    lines = [
        f"Apply interrupted: {len(finished)} of {len(planned)} changes finished "
        f"({n['done']} done, {n['failed']} failed, {n['skipped']} skipped), "
        f"{len(left)} did not start or were cut short."
    ]
    done = [a for a in finished if outcomes[a] == "done"]
    if done:
        lines += ["  Done:", *_listed(done)]
    if left:
        lines += ["  Not started or cut short:", *_listed(left)]
    lines.append(
        "Run apply again: it plans from what CircleCI holds now and makes only the changes "
        "still needed."
    )
    return "\n".join(lines)
