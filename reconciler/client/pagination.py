"""Read a list to its end or fail: a silently truncated list would be planned as deletions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.errors import PaginationError

MAX_PAGES = 1000  # 500 contexts per org is CircleCI's largest documented list; pages hold more


def read_all(
    fetch: Callable[[str | None], Any],
    *,
    what: str,
    max_pages: int = MAX_PAGES,
) -> list[Any]:
    """Every item of a paginated list. `fetch(token)` returns one page's parsed body.

    Pages are `{"items": [...], "next_page_token": str | null}`; the end is a null, empty or
    absent token. A bare JSON array is a complete, unpaginated list. A repeated token, a page
    identical to the previous one, a malformed page or more than `max_pages` pages raise
    PaginationError naming `what`.
    """
    items: list[Any] = []
    seen: set[str] = set()
    previous: list[Any] | None = None
    token: str | None = None
    for _ in range(max_pages):
        body = fetch(token)
        if isinstance(body, list):
            if token is None:
                return body
            raise PaginationError(f"{what}: a later page is not a paged list")
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise PaginationError(f"{what}: the answer is not a paged list")
        page = body["items"]
        if previous and page == previous:
            raise PaginationError(f"{what}: the server returned the same page twice")
        items.extend(page)
        previous = page
        nxt = body.get("next_page_token")
        if nxt is None or nxt == "":
            return items
        if not isinstance(nxt, str):
            raise PaginationError(f"{what}: next_page_token is not a string")
        if nxt in seen:
            raise PaginationError(f"{what}: page token repeated after {len(seen) + 1} pages")
        seen.add(nxt)
        token = nxt
    raise PaginationError(f"{what}: more than {max_pages} pages; refusing to read on")
