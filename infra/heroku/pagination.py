"""Heroku's ``Range`` pagination, as pure functions (research/heroku-api.md §4 "Ranges").

A list request carries ``Range: <field> ..; max=<n>[, order=desc]``. Heroku answers 200 when
the page is the last, or 206 with ``Next-Range`` naming where the next page starts; the client
resends the request with ``Range`` set to that value until no ``Next-Range`` comes back. Pages
hold at most 1,000 items (200 by default), so one page must never be taken for the whole list.
"""

from __future__ import annotations

from typing import Literal

MAX_PAGE_SIZE = 1000
Order = Literal["asc", "desc"]


def first_range(sort: str = "id", *, page_size: int = MAX_PAGE_SIZE, order: Order | None = None) -> str:
    """The ``Range`` header for a list's first page, e.g. ``id ..; max=1000`` or ``version ..; max=1, order=desc``."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE} (got {page_size})")
    if not sort or not sort.replace("_", "").isalnum():
        raise ValueError(f"sort must be a field name such as id, name or version (got {sort!r})")
    header = f"{sort} ..; max={page_size}"
    return f"{header}, order={order}" if order else header


class PageError(ValueError):
    """A page's status and headers do not let the list continue or end cleanly; the text says why."""


def following_range(status: int, next_range: str | None, sent_range: str) -> str | None:
    """The ``Range`` for the page after this one, or None when this page was the last.

    Follows ``Next-Range`` whenever Heroku sends one (on 206, and on 200 should it ever do so),
    and raises `PageError` for a 206 without it or a ``Next-Range`` that would fetch this page again.
    """
    value = next_range.strip() if next_range else ""
    if not value:
        if status == 206:
            raise PageError("206 Partial Content without a Next-Range header: the rest of the list is unreachable")
        return None
    if value == sent_range.strip():
        raise PageError(f"Next-Range {value!r} repeats the range just fetched: the list would never end")
    return value
