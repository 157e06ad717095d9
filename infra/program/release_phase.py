"""`ReleasePhase`: wait until a build's release has finished its release phase, before scaling.

terraform-provider-heroku v5.2.10's `heroku_build` waits for the build to reach `succeeded`
and stops there (`resource_heroku_build.go`); its `heroku_formation` PATCHes once, without a
retry (`resource_heroku_formation.go`). When the app's Procfile declares a `release:` process
(InventorySync's API runs `alembic upgrade head`), Heroku keeps the build's release `pending`
while that command runs, and the release's process types do not exist until it succeeds: a
formation sent in between fails with 404 "Couldn't find that process type". So the first
`pulumi up` of such an app would fail, and only a second one would scale it.

This small Pulumi dynamic resource sits between the build and every formation of the app: its
create polls `GET /apps/{app}/releases/{release}` until the release `succeeded` (at the
cadence of the provider's own waits), and fails with the release's output URL when it
`failed`, expired, or is still pending at its timeout. It changes nothing on Heroku, so delete
is a no-op, and a new build (a new release) replaces it, which waits again.

Credentials never reach the state: Pulumi stores the dynamic provider object itself
(serialized) in the state, so this class captures nothing; the API key and URL are read in
`configure` (stack config `heroku:apiKey`, `heroku:url`) or, when unset, from
`HEROKU_API_KEY`, `HEROKU_API_URL` and netrc, as the Heroku provider plugin reads them.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pulumi
import pulumi.dynamic

from infra.clock import doubling_waits
from infra.errors import ReleasePhaseFailed
from infra.heroku.credentials import resolve_base_url, resolve_token

RELEASE_PHASE_TYPE = "pulumi-python:dynamic/heroku-stack:ReleasePhase"
DEFAULT_TIMEOUT_SECONDS = 1800.0
_ACCEPT = "application/vnd.heroku+json; version=3"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def await_release(
    client: httpx.Client,
    app_id: str,
    release_id: str,
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll the release until it `succeeded`; its last answer. ReleasePhaseFailed otherwise.

    Transient answers (429, 5xx, a dropped connection) are read again within the timeout: this
    is a read, so repeating it is always safe.
    """
    path = f"/apps/{app_id}/releases/{release_id}"
    deadline = monotonic() + timeout
    waits = doubling_waits()
    release: dict[str, Any] = {}
    while True:
        release = _read(client, path) or release
        status = release.get("status")
        if status == "succeeded":
            return release
        if status in ("failed", "expired"):
            raise ReleasePhaseFailed(
                f"release v{release.get('version')} of app {app_id} {status} in its release phase"
                f"{_output(release)}; the formation was not scaled. Fix the release command and deploy again"
            )
        if monotonic() >= deadline:
            state = f"still {status!r}" if status else "not readable"
            raise ReleasePhaseFailed(
                f"release {release_id} of app {app_id} is {state} after {timeout:.0f}s{_output(release)}; "
                "raise deploy.release_phase_timeout_seconds if the release command needs longer"
            )
        sleep(next(waits))


def _read(client: httpx.Client, path: str) -> dict[str, Any] | None:
    """The release, or None when Heroku gave no usable answer this time (tried again by the caller)."""
    try:
        response = client.get(path)
    except httpx.TransportError:
        return None
    if response.status_code in _RETRY_STATUSES:
        return None
    if response.status_code != 200:
        try:
            message = str(response.json().get("message", ""))
        except ValueError:
            message = response.text[:200]
        raise ReleasePhaseFailed(f"GET {path}: {response.status_code} {message}".rstrip())
    body = response.json()
    if not isinstance(body, dict):
        raise ReleasePhaseFailed(f"GET {path}: expected a release object")
    return body


def _output(release: Mapping[str, Any]) -> str:
    url = release.get("output_stream_url")
    return f" (release output: {url})" if isinstance(url, str) and url else ""


class ReleasePhaseProvider(pulumi.dynamic.ResourceProvider):
    """The dynamic provider behind `ReleasePhase`. Holds no credentials until `configure` runs in the engine."""

    def __init__(self) -> None:
        super().__init__()
        self._config: dict[str, str] = {}

    def configure(self, req: pulumi.dynamic.ConfigureRequest) -> None:
        # The engine hands dynamic providers the whole stack config, namespaced and decrypted.
        for key in ("heroku:apiKey", "heroku:url"):
            value = req.config.get(key)
            if isinstance(value, str) and value:
                self._config[key] = value

    def _client(self) -> httpx.Client:
        base_url = resolve_base_url(self._config.get("heroku:url"), env=os.environ)
        token = resolve_token(self._config.get("heroku:apiKey"), base_url=base_url, env=os.environ)
        return httpx.Client(
            base_url=base_url,
            headers={
                "Accept": _ACCEPT,
                "Authorization": f"Bearer {token.secret.reveal()}",
                "User-Agent": "heroku-stack release-phase",
            },
            timeout=30.0,
        )

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        release_id = str(props["releaseId"])
        with self._client() as client:
            release = await_release(
                client,
                str(props["appId"]),
                release_id,
                timeout=float(props.get("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS)),
            )
        outs = {**props, "version": release.get("version"), "status": release.get("status")}
        return pulumi.dynamic.CreateResult(id_=release_id, outs=outs)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        replaces = [key for key in ("appId", "releaseId") if _olds.get(key) != _news.get(key)]
        changed = bool(replaces) or _olds.get("timeoutSeconds") != _news.get("timeoutSeconds")
        return pulumi.dynamic.DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        # Only the timeout can change in place, and it matters only while creating.
        return pulumi.dynamic.UpdateResult(outs={**_olds, "timeoutSeconds": _news.get("timeoutSeconds")})


class ReleasePhase(pulumi.dynamic.Resource, module="heroku-stack", name="ReleasePhase"):
    """The wait for `release_id` (a build's `release_id`) of app `app_id` to succeed; see the module docstring."""

    def __init__(
        self,
        name: str,
        *,
        app_id: pulumi.Input[str],
        release_id: pulumi.Input[str],
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"appId": app_id, "releaseId": release_id, "timeoutSeconds": timeout_seconds}
        # Pulumi's serialize_provider wraps pickle's _batch_setitems in one more sorting layer on
        # every dynamic resource and never unwraps it: some 480 of them in one process (a stack of
        # as many apps, or a long-lived process planning again and again) end in RecursionError.
        wrapped_before = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
        try:
            super().__init__(ReleasePhaseProvider(), name, props, opts)
        finally:
            pickle._Pickler._batch_setitems = wrapped_before  # type: ignore[attr-defined]
