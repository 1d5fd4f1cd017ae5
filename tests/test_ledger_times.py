"""The times the ledger compares, in every spelling CircleCI uses, on every supported Python."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from reconciler.ledger import _parse_time

WHEN = datetime(2023, 4, 14, 21, 20, 14, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text",
    [
        "2023-04-14T21:20:14Z",
        "2023-04-14T21:20:14+00:00",
        "2023-04-14T21:20:14+0000",
        "#joda/inst 2023-04-14T21:20:14+0000",
        "#joda/inst 2023-04-14T21:20:14.000+0000",
        "2023-04-14T21:20:14.000000000Z",
        "2023-04-14T23:20:14+0200",
    ],
)
def test_every_spelling_reads_as_the_same_instant(text: str) -> None:
    assert _parse_time(text) == WHEN


def test_a_fraction_of_any_length_is_kept_to_the_microsecond() -> None:
    parsed = _parse_time("2023-04-14T21:20:14.1234567Z")
    assert parsed is not None and parsed.microsecond == 123456


@pytest.mark.parametrize("text", [None, "", "yesterday", 12, "#joda/inst"])
def test_anything_else_is_no_time(text: object) -> None:
    assert _parse_time(text) is None
