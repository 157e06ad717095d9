"""The Platform API calls promotion makes, over `HerokuClient`, each answer reduced to plain data.

Reads go through a read-only client; the two writes (create a pipeline promotion, roll a
release back) through a write-mode client that the runner opens only after confirmation.
Every request either client sends is recorded (method, path, status, Heroku's
`Request-Id`) by `RequestRecorder`, a transport wrapper, so the journal can list what each
step asked of Heroku.

Relied on (research/heroku-api.md §4, the Platform API schema):
- `POST /pipeline-promotions` takes `pipeline {id}`, `source {app {id}, release {id}}`,
  `targets [{app {id}}]`; the promotion's `status` goes `pending` -> `completed`, and each
  target's `status` (`GET /pipeline-promotions/{id}/promotion-targets`) ends `succeeded` or
  `failed` with an `error_message`; a succeeded target carries the new `release {id}`.
- Rollback is `POST /apps/{app}/releases {"release": <release id>}`: a new release with that
  release's slug and config vars; add-ons are not rolled back.
- A release's `current` marks the one the app runs; the newest may still be `pending`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from infra.errors import HerokuAPIError
from infra.heroku import HerokuClient
from infra.promote.journal import RequestRecord
from infra.verify.live import LiveRelease, parse_release

JSON = dict[str, Any]


class RequestRecorder:
    """Notes every request its transports carry, into the list `into` points at (if any) and `total`."""

    def __init__(self) -> None:
        self._sink: list[RequestRecord] | None = None
        self.total: list[RequestRecord] = []

    def transport(self, inner: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncBaseTransport:
        """A transport that records into this recorder, over `inner` (a real HTTP transport by default)."""
        return _RecordingTransport(inner or httpx.AsyncHTTPTransport(), self)

    @contextmanager
    def into(self, sink: list[RequestRecord]) -> Iterator[None]:
        previous, self._sink = self._sink, sink
        try:
            yield
        finally:
            self._sink = previous

    def note(self, record: RequestRecord) -> None:
        self.total.append(record)
        if self._sink is not None:
            self._sink.append(record)


class _RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, recorder: RequestRecorder) -> None:
        self._inner = inner
        self._recorder = recorder

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent_id = request.headers.get("Request-Id")
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._recorder.note(
                RequestRecord(method=request.method, path=request.url.path, status=None, request_id=sent_id)
            )
            raise
        request_id = response.headers.get("Request-Id") or sent_id
        self._recorder.note(
            RequestRecord(
                method=request.method, path=request.url.path, status=response.status_code, request_id=request_id
            )
        )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass(frozen=True)
class PromotionTarget:
    app_id: str
    status: str  # pending | succeeded | failed
    release_id: str | None
    error_message: str | None


class PromotionReads:
    """The read-only calls of the promotion itself: releases and promotions (the gate reads through verification)."""

    def __init__(self, client: HerokuClient) -> None:
        if not client.read_only:
            raise ValueError("PromotionReads needs a read-only client")
        self.client = client

    async def newest_releases(self, app: str) -> list[LiveRelease]:
        """The app's ten newest releases, newest first."""
        newest = await self.client.get_list(f"/apps/{app}/releases", sort="version", order="desc", limit=10)
        return [parse_release(r) for r in newest]

    async def current_release(self, app: str) -> LiveRelease | None:
        """The release the app runs (`current`), from its ten newest; None for an app without one."""
        return next((r for r in await self.newest_releases(app) if r.current), None)

    async def release(self, app: str, release_id: str) -> LiveRelease:
        return parse_release(await self.client.get(f"/apps/{app}/releases/{release_id}"))

    async def promotion_status(self, promotion_id: str) -> str:
        return str((await self.client.get(f"/pipeline-promotions/{promotion_id}")).get("status"))

    async def caller_email(self) -> str:
        """Whose API key runs the promotion (`GET /account`)."""
        return str((await self.client.get("/account")).get("email"))

    async def team_role(self, team: str) -> str | None:
        """The caller's role in `team` (`GET /teams/{team}` answers it); None when not a member."""
        return (await self.client.get(f"/teams/{team}")).get("role")

    async def app_permissions(self, app: str, email: str) -> frozenset[str]:
        """What `email` may do on team app `app` (`/teams/apps/{app}/collaborators/{email}`); none if not listed."""
        try:
            found = await self.client.get(f"/teams/apps/{app}/collaborators/{email}")
        except HerokuAPIError as err:
            if err.status == 404:
                return frozenset()
            raise
        return frozenset(str(p.get("name")) for p in found.get("permissions") or [] if isinstance(p, dict))

    async def promotion_targets(self, promotion_id: str) -> list[PromotionTarget]:
        targets = await self.client.get_list(f"/pipeline-promotions/{promotion_id}/promotion-targets")
        return [
            PromotionTarget(
                app_id=str((t.get("app") or {}).get("id")),
                status=str(t.get("status")),
                release_id=(t.get("release") or {}).get("id"),
                error_message=t.get("error_message"),
            )
            for t in targets
        ]


class PromotionWrites:
    """The only two writes promotion makes; opened after confirmation, never in a dry run."""

    def __init__(self, client: HerokuClient) -> None:
        self.client = client

    async def create_promotion(self, body: JSON) -> str:
        """Start a pipeline promotion (`promotion_body`); its id, to poll."""
        return str((await self.client.post("/pipeline-promotions", json=body))["id"])

    async def rollback(self, app: str, release_id: str) -> LiveRelease:
        return parse_release(await self.client.post(f"/apps/{app}/releases", json={"release": release_id}))


def promotion_body(*, pipeline_id: str, source_app_id: str, source_release_id: str, target_app_id: str) -> JSON:
    """The body of `POST /pipeline-promotions` for one staging app and its production app."""
    return {
        "pipeline": {"id": pipeline_id},
        "source": {"app": {"id": source_app_id}, "release": {"id": source_release_id}},
        "targets": [{"app": {"id": target_app_id}}],
    }
