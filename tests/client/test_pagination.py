from __future__ import annotations

from typing import Any

import pytest

from reconciler.client.pagination import read_all
from reconciler.errors import PaginationError


def pages(*bodies: Any) -> tuple[list[str | None], Any]:
    asked: list[str | None] = []
    it = iter(bodies)

    def fetch(token: str | None) -> Any:
        asked.append(token)
        return next(it)

    return asked, fetch


def test_reads_every_page_following_tokens() -> None:
    asked, fetch = pages(
        {"items": [1, 2], "next_page_token": "a"},
        {"items": [3, 4], "next_page_token": "b"},
        {"items": [5], "next_page_token": None},
    )
    assert read_all(fetch, what="x") == [1, 2, 3, 4, 5]
    assert asked == [None, "a", "b"]


@pytest.mark.parametrize("end", [{"next_page_token": ""}, {}])
def test_empty_or_absent_token_ends_the_list(end: dict[str, Any]) -> None:
    _, fetch = pages({"items": [1], "next_page_token": "a"}, {"items": [2], **end})
    assert read_all(fetch, what="x") == [1, 2]


def test_bare_array_is_a_complete_list() -> None:
    _, fetch = pages([{"slug": "gh/a"}])
    assert read_all(fetch, what="x") == [{"slug": "gh/a"}]


def test_repeated_token_is_an_error_not_a_loop() -> None:
    _, fetch = pages(
        {"items": [1], "next_page_token": "a"},
        {"items": [2], "next_page_token": "b"},
        {"items": [3], "next_page_token": "a"},
    )
    with pytest.raises(PaginationError, match="repeated"):
        read_all(fetch, what="GET /context")


def test_same_page_under_a_new_token_is_an_error() -> None:
    _, fetch = pages({"items": [1], "next_page_token": "a"}, {"items": [1], "next_page_token": "b"})
    with pytest.raises(PaginationError, match="same page"):
        read_all(fetch, what="x")


def test_page_cap() -> None:
    counter = iter(range(10_000))

    def endless(token: str | None) -> Any:
        return {"items": [next(counter)], "next_page_token": f"t{next(counter)}"}

    with pytest.raises(PaginationError, match="more than 5 pages"):
        read_all(endless, what="x", max_pages=5)


@pytest.mark.parametrize(
    "body",
    ["oops", None, {"items": "x"}, {"next_page_token": None}, {"items": [], "next_page_token": 3}],
)
def test_malformed_pages_raise(body: Any) -> None:
    with pytest.raises(PaginationError):
        read_all(lambda token: body, what="x")


def test_a_bare_array_after_a_paged_start_is_an_error() -> None:
    _, fetch = pages({"items": [1], "next_page_token": "a"}, [2])
    with pytest.raises(PaginationError):
        read_all(fetch, what="x")
