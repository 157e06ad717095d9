"""Account-wide reads: four lists read once per scan instead of four requests per app.

Heroku lists apps, add-ons, add-on attachments and pipeline couplings for the whole account
(`GET /apps`, `/addons`, `/addon-attachments`, `/pipeline-couplings`, up to 1,000 a page).
Once a scan covers enough apps, reading those lists costs fewer requests (and less of the
4,500-an-hour budget) than the per-app reads; `AccountLists` then answers each app's
question the way the per-app endpoint would. Below `ACCOUNT_WIDE_FROM` apps a scan keeps
per-app reads: a two-app stack in a large account should not page through every app in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from infra.verify.live import (
    FetchFailed,
    LiveAddon,
    LiveAppInfo,
    LiveAttachment,
    LiveCoupling,
    parse_addon,
    parse_app,
    parse_attachment,
    parse_coupling,
)

ACCOUNT_WIDE_FROM = 10  # apps in a scan from which the account-wide lists replace per-app reads

# Snapshot collection -> the account-wide list that holds it. "info" is the app itself.
ACCOUNT_PATHS: Mapping[str, str] = {
    "info": "/apps",
    "addons": "/addons",
    "attachments": "/addon-attachments",
    "coupling": "/pipeline-couplings",
}

T = TypeVar("T")
Raw = list[dict[str, Any]]


def account_wide(needs: Iterable[frozenset[str]], threshold: int) -> frozenset[str]:
    """Which account-wide lists a scan reads, from the collections each app in scope needs.

    A list is read when at least `threshold` apps need what it holds. An app's add-ons include
    those attached to it from other apps, so the add-on list brings the attachment list along.
    """
    counts = {"info": 0, "addons": 0, "attachments": 0, "coupling": 0}
    for collections in needs:
        counts["info"] += 1
        for name in ("addons", "attachments", "coupling"):
            counts[name] += name in collections
    chosen = {name for name, n in counts.items() if n >= threshold}
    if "addons" in chosen:
        chosen.add("attachments")
    return frozenset(chosen)


@dataclass(frozen=True)
class AccountLists:
    """The account-wide lists one scan read, raw, or why one could not be read."""

    lists: Mapping[str, Raw | FetchFailed]

    def covers(self, collection: str) -> bool:
        return collection in self.lists

    def info(self, name: str) -> LiveAppInfo | FetchFailed | None:
        """The app as `GET /apps/{name}` would answer it; None when the account has no such app."""
        apps = self.lists["info"]
        if isinstance(apps, FetchFailed):
            return apps
        raw = self._by_name.get(name)
        return None if raw is None else parsed(lambda: parse_app(raw))

    def attachments(self, app_id: str) -> tuple[LiveAttachment, ...] | FetchFailed:
        """The attachments on the app, as `GET /apps/{app}/addon-attachments`."""
        return _each(self.lists["attachments"], self._by_app["attachments"].get(app_id, []), parse_attachment)

    def addons(self, app_id: str) -> tuple[LiveAddon, ...] | FetchFailed | None:
        """The add-ons the app owns, then those attached to it, as `GET /apps/{app}/addons`.

        None when an attached add-on is not in the account's list (its owner app is in another
        account): only the per-app read can answer then.
        """
        addons, attachments = self.lists["addons"], self.lists["attachments"]
        if isinstance(attachments, FetchFailed):
            return attachments
        found = {str(a.get("id")): a for a in self._by_app["addons"].get(app_id, [])}
        for attachment in self._by_app["attachments"].get(app_id, []):
            addon_id = str((attachment.get("addon") or {}).get("id"))
            if addon_id not in self._addons_by_id and not isinstance(addons, FetchFailed):
                return None
            found.setdefault(addon_id, self._addons_by_id.get(addon_id, {}))
        return _each(addons, list(found.values()), parse_addon)

    def coupling(self, app_id: str) -> tuple[LiveCoupling, ...] | FetchFailed:
        """The app's pipeline coupling, () when it is in no pipeline (`GET /apps/{app}/pipeline-couplings` 404s)."""
        return _each(self.lists["coupling"], self._by_app["coupling"].get(app_id, []), parse_coupling)

    @cached_property
    def _by_name(self) -> dict[str, dict[str, Any]]:
        apps = self.lists.get("info")
        return {} if not isinstance(apps, list) else {str(a.get("name")): a for a in apps}

    @cached_property
    def _addons_by_id(self) -> dict[str, dict[str, Any]]:
        addons = self.lists.get("addons")
        return {} if not isinstance(addons, list) else {str(a.get("id")): a for a in addons}

    @cached_property
    def _by_app(self) -> dict[str, dict[str, Raw]]:
        """Each list's items by the id of the app they belong to."""
        grouped: dict[str, dict[str, Raw]] = {"addons": {}, "attachments": {}, "coupling": {}}
        for collection, by_app in grouped.items():
            items = self.lists.get(collection)
            for item in items if isinstance(items, list) else ():
                app = item.get("app")
                if isinstance(app, Mapping):
                    by_app.setdefault(str(app.get("id")), []).append(item)
        return grouped


def _each(read: Raw | FetchFailed, items: Raw, parse: Callable[[Any], T]) -> tuple[T, ...] | FetchFailed:
    """`items` of a list that was `read`, parsed; the list's failure when it was not."""
    if isinstance(read, FetchFailed):
        return read
    return parsed(lambda: tuple(parse(item) for item in items))


def parsed(make: Callable[[], T]) -> T | FetchFailed:
    """`make()`, or FetchFailed when Heroku's answer lacks what it reads."""
    try:
        return make()
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return FetchFailed(f"Heroku's answer has an unexpected shape ({type(err).__name__})")
