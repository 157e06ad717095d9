"""Remembered GET answers, so a repeated read of an unchanged resource is a cheap ``304 Not Modified``.

Heroku sends an ``ETag`` on every GET; a repeat with ``If-None-Match: <etag>`` answers 304 with an
empty body when nothing changed (research/heroku-api.md §4 "Caching"). The cache keeps the body
of the last full answer per (base URL, path, Range) so the client can hand it back on a 304.

Bodies include config-var values, which are secrets, so the cache lives in memory only: it can be
shared by several clients in one process (e.g. successive drift scans of a long-running job) but is
never written to disk, and its repr shows only its size.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

CacheKey = tuple[str, str, str]  # (base URL, path, Range header or "")


@dataclass(frozen=True)
class CachedPage:
    """One remembered answer: the validator, the status it came with, its Next-Range and raw body."""

    etag: str
    status: int
    next_range: str | None
    body: bytes


class EtagCache:
    """A bounded, least-recently-used map from request to its last answer; in memory only."""

    def __init__(self, max_entries: int = 10_000) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1 (got {max_entries})")
        self._max_entries = max_entries
        self._pages: OrderedDict[CacheKey, CachedPage] = OrderedDict()

    def get(self, key: CacheKey) -> CachedPage | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: CacheKey, page: CachedPage) -> None:
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self._max_entries:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)

    def __repr__(self) -> str:
        return f"EtagCache({len(self._pages)} entries)"
