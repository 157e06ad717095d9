"""Live snapshot: each app's collections, read once per run through a read-only client.

Which collections are read follows from the run's scope (`collections_for`), so `--app`
and `--check` skip the API calls of everything out of scope, not just their output. Per
app, the app itself and its newest releases are read first (a missing app then costs two
calls, not eleven); the rest follow concurrently. All apps are scanned at once; the
client's own concurrency limit and rate-limit pacing keep the run within budget. A scan
of many apps reads the app, add-ons, attachments and coupling from account-wide lists read
once (`infra.verify.account`) instead of once per app.

Repeat scans through one `ScanMemo` (a long-running job scanning every few minutes) skip
what provably did not change: Heroku makes a release for every config var change and
every add-on attached or detached (Dev Center "Releases"), so while an app's newest
release is the same one, its config vars and attachments are the ones already read. The
other collections are re-read, and cost a body-less 304 when unchanged (the client's ETag
cache). The memo holds parsed state only: config values are fingerprints by then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import quote

from infra.errors import HerokuError, NotFound
from infra.heroku import HerokuClient
from infra.verify.account import ACCOUNT_PATHS, AccountLists, account_wide, parsed
from infra.verify.expected import ExpectedApp
from infra.verify.live import (
    FetchFailed,
    LiveAddon,
    LiveApp,
    LiveAppInfo,
    LiveDomain,
    LivePipeline,
    LiveRelease,
    LiveValue,
    parse_addon,
    parse_app,
    parse_attachment,
    parse_buildpacks,
    parse_collaborator,
    parse_config,
    parse_coupling,
    parse_domain,
    parse_drain,
    parse_features,
    parse_process,
    parse_release,
)

# Collections whose every change makes a release: unchanged while the newest release is the same.
_RELEASED = ("config", "attachments")
RELEASE_WINDOW = 25  # newest releases read per app: the current one, and who changed what lately

# The collections each kind of check reads. The app itself is always read.
_KIND_COLLECTIONS: dict[str, tuple[str, ...]] = {
    "app": (),
    "config": ("config", "addons", "attachments", "releases"),
    "addon": ("addons", "attachments", "releases"),
    "attachment": ("attachments", "releases"),
    "buildpacks": ("buildpacks",),
    "domain": ("domains",),
    "formation": ("formation",),
    "drain": ("drains",),
    "feature": ("features",),
    "pipeline": ("coupling",),
    "release": ("releases",),
    "procfile": ("releases", "procfile"),
    "access": ("access",),
    "health": ("releases",),
    "http": ("releases",),
}
COLLECTIONS = (
    "config",
    "addons",
    "attachments",
    "domains",
    "buildpacks",
    "formation",
    "drains",
    "features",
    "coupling",
    "releases",
    "procfile",
    "access",
)


def collections_for(kinds: Collection[str], expected: ExpectedApp) -> frozenset[str]:
    """The collections to read for checks of `kinds` on this app."""
    needed: set[str] = set()
    for kind in kinds:
        if kind in ("health", "http") and not any(c.release_field for _, k, c in expected.probes() if k == kind):
            continue
        if kind == "buildpacks" and not expected.buildpacks:
            continue
        if kind == "procfile" and not expected.procfile:
            continue
        if kind == "access" and expected.access is None:
            continue
        needed.update(_KIND_COLLECTIONS[kind])
    return frozenset(needed)


@dataclass
class _Remembered:
    release_id: str
    config: Any = None
    attachments: Any = None


@dataclass
class ScanMemo:
    """What one scan leaves for the next, per app name; share it between runs of a long-lived process."""

    apps: dict[str, _Remembered] = field(default_factory=dict)
    reused: int = 0  # collections taken from the memo instead of the API, over the memo's life


T = TypeVar("T")


class SnapshotReader:
    """Reads live state through `client` (which must be read-only: verification never writes)."""

    def __init__(self, client: HerokuClient, *, memo: ScanMemo | None = None, releases: int = RELEASE_WINDOW):
        if not client.read_only:
            raise ValueError("verification reads through a read-only HerokuClient (HerokuClient(read_only=True))")
        self.client = client
        self.memo = memo
        self.release_window = releases

    async def account(self, needs: Collection[frozenset[str]], threshold: int) -> AccountLists:
        """The account-wide lists worth reading for a scan whose apps need `needs` (see `account.account_wide`)."""
        chosen = sorted(account_wide(needs, threshold))
        got = await asyncio.gather(*(self._account_list(ACCOUNT_PATHS[c]) for c in chosen))
        return AccountLists(dict(zip(chosen, got, strict=True)))

    async def app(
        self, expected: ExpectedApp, collections: frozenset[str], account: AccountLists | None = None
    ) -> LiveApp:
        """One app's snapshot: the app, then the `collections` asked for (others stay None).

        What `account` covers is taken from its lists instead of a request of this app's own.
        """
        name = expected.name
        base = f"/apps/{quote(name, safe='')}"
        account = account or AccountLists({})
        want_releases = "releases" in collections
        info: LiveAppInfo | FetchFailed | _Gone
        releases: tuple[LiveRelease, ...] | FetchFailed | _Gone | None = None
        if account.covers("info"):
            info = account.info(name) or _Gone()
            if want_releases and not isinstance(info, _Gone):
                releases = await self.releases(name)
        else:
            info_task = self._read(lambda: self.client.get(base), parse_app)
            if want_releases:
                info, releases = await asyncio.gather(info_task, self.releases(name))
            else:
                info = await info_task
        if isinstance(info, _Gone):
            return LiveApp(key=expected.key, name=name, info=None)
        if isinstance(releases, _Gone):
            releases = FetchFailed(_vanished(name))
        live = LiveApp(key=expected.key, name=name, info=info, releases=releases)
        if isinstance(info, FetchFailed):
            return live
        plain_drains = frozenset(d.url for d in expected.drains if d.url)
        remembered = self._remembered(name, releases)
        app_id = info.id
        readers: dict[str, Callable[[], Awaitable[Any]]] = {
            "config": lambda: self.config(expected),
            "addons": lambda: self._addons(base, app_id, account),
            "attachments": lambda: (
                _ready(account.attachments(app_id))
                if account.covers("attachments")
                else self._read_list(f"{base}/addon-attachments", parse_attachment)
            ),
            "domains": lambda: self._read_list(f"{base}/domains", parse_domain),
            "buildpacks": lambda: self._read(
                lambda: self.client.get_list(f"{base}/buildpack-installations"), parse_buildpacks
            ),
            "formation": lambda: self._read_list(f"{base}/formation", parse_process),
            "drains": lambda: self._read_list(
                f"{base}/log-drains", lambda raw: parse_drain(raw, name, plain_drains, expected.fingerprint_key)
            ),
            "features": lambda: self._read(lambda: self.client.get_list(f"{base}/features"), parse_features),
            "coupling": lambda: (
                _ready(account.coupling(app_id)) if account.covers("coupling") else self._coupling(base)
            ),
            "procfile": lambda: self._procfile(base, releases),
            "access": lambda: self._read_list(f"{base}/collaborators", parse_collaborator),
        }
        wanted = [c for c in COLLECTIONS if c in collections and c != "releases"]
        from_memo = {
            c: value
            for c in _RELEASED
            if remembered is not None and c in wanted and (value := getattr(remembered, c)) is not None
        }
        to_read = [c for c in wanted if c not in from_memo]
        values = await asyncio.gather(*(readers[c]() for c in to_read))
        found: dict[str, Any] = dict(zip(to_read, values, strict=True)) | from_memo
        if self.memo is not None:
            self.memo.reused += len(from_memo)
        found = {c: (FetchFailed(_vanished(name)) if isinstance(v, _Gone) else v) for c, v in found.items()}
        live = replace(live, **found)
        self._remember(name, live)
        return live

    async def releases(self, app_name: str) -> tuple[LiveRelease, ...] | FetchFailed | _Gone:
        path = f"/apps/{quote(app_name, safe='')}/releases"
        return await self._read(
            lambda: self.client.get_list(path, sort="version", order="desc", limit=self.release_window),
            lambda raw: tuple(parse_release(r) for r in raw),
        )

    async def pipeline(self, name: str) -> LivePipeline:
        """The stack's pipeline by name: its id, or found=False when Heroku has none by that name."""
        got = await self._read(lambda: self.client.get(f"/pipelines/{quote(name, safe='')}"), lambda r: str(r["id"]))
        if isinstance(got, _Gone):
            return LivePipeline(name=name, id=None, found=False)
        return LivePipeline(name=name, id=got)

    # --- single objects, for convergence re-polls ----------------------------------------------

    async def addon(self, app_name: str, addon_id: str) -> LiveAddon | FetchFailed | None:
        got = await self._read(
            lambda: self.client.get(f"/apps/{quote(app_name, safe='')}/addons/{addon_id}"), parse_addon
        )
        return None if isinstance(got, _Gone) else got

    async def release(self, app_name: str, release_id: str) -> LiveRelease | FetchFailed | None:
        got = await self._read(
            lambda: self.client.get(f"/apps/{quote(app_name, safe='')}/releases/{release_id}"), parse_release
        )
        return None if isinstance(got, _Gone) else got

    async def domain(self, app_name: str, domain_id: str) -> LiveDomain | FetchFailed | None:
        got = await self._read(
            lambda: self.client.get(f"/apps/{quote(app_name, safe='')}/domains/{domain_id}"), parse_domain
        )
        return None if isinstance(got, _Gone) else got

    async def config(self, expected: ExpectedApp) -> dict[str, LiveValue] | FetchFailed:
        """The app's config vars, hashed on arrival (`live.parse_config`): in a snapshot, or once an add-on is up."""
        name = expected.name
        got = await self._read(
            lambda: self.client.get(f"/apps/{quote(name, safe='')}/config-vars"),
            lambda raw: parse_config(
                raw, name, frozenset(expected.config), app_key=expected.key, key=expected.fingerprint_key
            ),
        )
        return FetchFailed(_vanished(name)) if isinstance(got, _Gone) else got

    # --- plumbing ------------------------------------------------------------------------------

    async def _addons(
        self, base: str, app_id: str, account: AccountLists
    ) -> tuple[LiveAddon, ...] | FetchFailed | _Gone:
        from_account = account.addons(app_id) if account.covers("addons") else None
        if from_account is not None:
            return from_account
        return await self._read_list(f"{base}/addons", parse_addon)

    async def _account_list(self, path: str) -> list[dict[str, Any]] | FetchFailed:
        got = await self._read(lambda: self.client.get_list(path), list)
        return FetchFailed(f"{path} answered 404") if isinstance(got, _Gone) else got

    async def _coupling(self, base: str) -> tuple[Any, ...] | FetchFailed:
        got = await self._read(lambda: self.client.get(f"{base}/pipeline-couplings"), parse_coupling)
        if isinstance(got, _Gone):
            return ()  # 404: the app is in no pipeline
        return got if isinstance(got, FetchFailed) else (got,)

    async def _procfile(
        self, base: str, releases: tuple[LiveRelease, ...] | FetchFailed | None
    ) -> Mapping[str, str] | FetchFailed | _Gone:
        """The process types of the slug the current release runs (what the Procfile declared at build time)."""
        if not isinstance(releases, tuple):
            return releases if isinstance(releases, FetchFailed) else FetchFailed("the release log was not read")
        current = next((r for r in releases if r.current), None)
        if current is None or current.slug_id is None:
            return {}  # nothing deployed yet: no process types
        slug = current.slug_id
        return await self._read(
            lambda: self.client.get(f"{base}/slugs/{slug}"),
            lambda raw: {str(k): str(v) for k, v in (raw.get("process_types") or {}).items()},
        )

    async def _read_list(self, path: str, parse: Callable[[Any], T]) -> tuple[T, ...] | FetchFailed | _Gone:
        return await self._read(lambda: self.client.get_list(path), lambda raw: tuple(parse(item) for item in raw))

    async def _read(self, call: Callable[[], Awaitable[Any]], parse: Callable[[Any], T]) -> T | FetchFailed | _Gone:
        try:
            raw = await call()
        except NotFound:
            return _Gone()
        except HerokuError as err:
            return FetchFailed(str(err))
        return parsed(lambda: parse(raw))

    def _remembered(self, name: str, releases: object) -> _Remembered | None:
        if self.memo is None or not isinstance(releases, tuple) or not releases:
            return None
        remembered = self.memo.apps.get(name)
        return remembered if remembered is not None and remembered.release_id == releases[0].id else None

    def _remember(self, name: str, live: LiveApp) -> None:
        if self.memo is None or not isinstance(live.releases, tuple) or not live.releases:
            return
        keep = {c: v for c in _RELEASED if isinstance(v := getattr(live, c), (dict, tuple))}
        self.memo.apps[name] = _Remembered(release_id=live.releases[0].id, **keep)


async def _ready(value: T) -> T:
    return value


class _Gone:
    """A 404: the object is not there (an app, a coupling, a pipeline)."""


def _vanished(app_name: str) -> str:
    return f"Heroku answered 404 for a collection of {app_name}, which existed a moment earlier in this run"
