"""`export --defaults`: what most exported projects share, written once under `defaults`.

One default, `<org>/*`, in the manifest's own merge terms (manifest/defaults.py): a section
most projects write is given by the default; a member (a setting, a variable, a schedule, a
webhook) most of them write with the same text is given by it too and removed from each
project that has it so. A project keeps what differs (its own keys win), and lists in
`skip_defaults` what the default would add that it lacks, so every project plans exactly as
without defaults. `checkout_keys` is one list: given whole when most projects write the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from reconciler.exporting.yamltext import Block, Entry, Flow, entry_text

SKIP = "skip_defaults"


def _entry(block: Block, key: str) -> Entry | None:
    return next((e for e in block.entries if e.key == key), None)


def _most(count: int, total: int) -> bool:
    return count * 2 > total


def factor(projects: Block, org: str, sections: Sequence[tuple[str, bool]]) -> Block | None:
    """Move what most projects share into one default; None when nothing is shared.
    `sections`: the project sections defaults may give, each with whether it is one list
    (given whole) rather than merged member by member."""
    bodies = [e.value for e in projects.entries if isinstance(e.value, Block)]
    if len(bodies) < 2:
        return None
    shared = Block()
    skips: dict[int, list[str]] = {i: [] for i in range(len(bodies))}
    whole = {key for key, is_list in sections if is_list}
    # Merged sections first, then the lists, so the default reads as it always has.
    for section in sorted((key for key, _ in sections), key=lambda key: key in whole):
        have = {i: _entry(b, section) for i, b in enumerate(bodies)}
        present = {i: e for i, e in have.items() if e is not None}
        if not _most(len(present), len(bodies)):
            continue
        if section in whole:
            given = _whole(section, present, bodies)
        else:
            given = _members(section, present, bodies, skips)
        if given is None:
            continue
        shared.add(section, given)
        skips.update({i: [*skips[i], section] for i in range(len(bodies)) if i not in present})
    if not shared.entries:
        return None
    for i, body in enumerate(bodies):
        if skips[i]:
            body.add(SKIP, Flow(sorted(skips[i])))
    out = Block()
    out.add(
        f"{org}/*",
        shared,
        before=[
            "What most exported projects share, written once: a project's own keys win, and",
            "skip_defaults lists what a project does without.",
        ],
    )
    return out


def _whole(section: str, present: dict[int, Entry], bodies: list[Block]) -> Any:
    texts = Counter(entry_text(e) for e in present.values())
    text, n = texts.most_common(1)[0]
    if not _most(n, len(bodies)):
        return None
    value = next(e.value for e in present.values() if entry_text(e) == text)
    for i, e in present.items():
        if entry_text(e) == text:
            bodies[i].entries.remove(e)
    return value


def _members(
    section: str, present: dict[int, Entry], bodies: list[Block], skips: dict[int, list[str]]
) -> Block | None:
    blocks = {i: e.value for i, e in present.items() if isinstance(e.value, Block)}
    if len(blocks) != len(present):
        return None
    texts: Counter[tuple[str, str]] = Counter()
    for b in blocks.values():
        texts.update({(m.key, entry_text(m)) for m in b.entries})
    given = Block()
    for (key, text), n in sorted(texts.items()):
        if _most(n, len(bodies)) and _entry(given, key) is None:
            given.entries.append(
                next(m for b in blocks.values() for m in b.entries if entry_text(m) == text)
            )
    for i, b in blocks.items():
        for member in given.entries:
            mine = _entry(b, member.key)
            if mine is None:
                skips[i].append(f"{section}.{member.key}")
            elif entry_text(mine) == entry_text(member):
                b.entries.remove(mine)
        if not b.entries and not b.notes:  # all given by the default, which writes it
            bodies[i].entries.remove(present[i])
    return given
