"""`HerokuClient`: the product's async httpx client for the Heroku Platform API.

Verification, drift detection and promotion talk to Heroku only through this class. It

- resolves the base URL and token like the Heroku CLI (`infra.heroku.credentials`);
- sends ``Accept: application/vnd.heroku+json; version=3``, a ``User-Agent``, a fresh
  ``Request-Id`` per request, and the token as ``Authorization: Bearer`` (never logged or shown);
- follows ``Range``/``Next-Range`` pagination to the end of every list (`get_list`);
- turns error answers into the exception chosen by Heroku's error ``id`` (`infra.errors`),
  carrying method, path, status and Heroku's ``Request-Id`` (`infra.heroku.answers`);
- paces itself from ``RateLimit-Remaining``, backs off on 429 within a bounded wait, and retries
  only idempotent requests on 5xx and lost connections (`infra.heroku.policy`);
- revalidates GETs with ``If-None-Match`` so unchanged resources cost a 304 (`EtagCache`);
- refuses anything but GET/HEAD when opened ``read_only``, before any network I/O;
- counts what it did (`stats`), and runs at most ``concurrency`` requests at once.

Every wait goes through the injected `Clock` and every jitter through the injected
`random.Random`, so tests drive retries without sleeping. Tests inject the emulator as the
`transport` (``httpx.ASGITransport``) or point `base_url` at it on a loopback port.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import random
import uuid
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any, Self

import httpx

from infra.clock import Clock, SystemClock
from infra.errors import ReadOnlyViolation, TransportError, UnexpectedResponse
from infra.heroku.answers import Page, api_error, decode, describe_transport_error, json_kind, rate_limit_exhausted
from infra.heroku.credentials import resolve_base_url, resolve_token
from infra.heroku.etag_cache import CachedPage, EtagCache
from infra.heroku.pacing import PacingGate
from infra.heroku.pagination import MAX_PAGE_SIZE, Order, PageError, first_range, following_range
from infra.heroku.policy import RetryPolicy, backoff_delay, parse_remaining, parse_retry_after
from infra.heroku.stats import ClientStats, StatsRecorder
from infra.spec.secret import Secret

ACCEPT = "application/vnd.heroku+json; version=3"
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_PAGES = 10_000  # 10 million items at the largest page size: a list longer than that is a server bug
# Failures that happen before the request leaves the machine: safe to resend whatever the method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

logger = logging.getLogger(__name__)

JSONObject = dict[str, Any]


def default_user_agent() -> str:
    """``heroku-stack/<version> httpx/<version> python/<version>``: who is calling, for Heroku's logs."""
    try:
        ours = version("heroku-stack")
    except PackageNotFoundError:
        ours = "0+unknown"
    return f"heroku-stack/{ours} httpx/{httpx.__version__} python/{platform.python_version()}"


class HerokuClient:
    """An async client for the Heroku Platform API; use it as ``async with HerokuClient(...) as heroku``.

    Args (all keyword-only, all optional):
        base_url: API root; else ``HEROKU_API_URL``; else ``https://api.heroku.com``.
        token: API token (str or `Secret`); else ``HEROKU_API_KEY``; else the netrc entry for the
            API host. None found raises `MissingCredentials` here, before any request.
        read_only: refuse every method but GET and HEAD (`ReadOnlyViolation`, nothing sent).
        concurrency: requests in flight at once across all callers of this client.
        transport: an ``httpx.AsyncBaseTransport`` (the emulator's ASGI transport in tests).
        clock: waits and deadlines (`SystemClock` by default; `FakeClock` in tests).
        retry: `RetryPolicy` for retries, 429 back-off and pacing.
        rng: the source of jitter (seed it for reproducible waits).
        user_agent: overrides `default_user_agent()`.
        etag_cache: share one `EtagCache` between clients; each client gets its own by default.
        timeout: seconds to connect, and between bytes of an answer.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        token: str | Secret | None = None,
        read_only: bool = False,
        concurrency: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        user_agent: str | None = None,
        etag_cache: EtagCache | None = None,
        timeout: float = 30.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1 (got {concurrency})")
        self.base_url = resolve_base_url(base_url)
        self.transport = transport  # None: the network; a tool beside the client (the sandbox's admin API) reuses it
        self._token = resolve_token(token, base_url=self.base_url)
        self.read_only = read_only
        self.concurrency = concurrency
        self._clock: Clock = clock or SystemClock()
        self._policy = retry or RetryPolicy()
        self._rng = rng or random.Random()  # jitter, not cryptography
        self._cache = etag_cache if etag_cache is not None else EtagCache()
        self._semaphore = asyncio.Semaphore(concurrency)
        self._gate = PacingGate(self._clock, self._policy)
        self._stats = StatsRecorder()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers={"Accept": ACCEPT, "User-Agent": user_agent or default_user_agent()},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return (
            f"HerokuClient(base_url={self.base_url!r}, {mode}, concurrency={self.concurrency}, "
            f"token from {self._token.source})"
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (and the injected transport)."""
        await self._http.aclose()

    @property
    def stats(self) -> ClientStats:
        """What this client has asked of Heroku so far."""
        return self._stats.snapshot()

    # --- reads ---------------------------------------------------------------------------------

    async def get(self, path: str) -> JSONObject:
        """GET a single resource (an app, its config vars, one add-on) as a JSON object."""
        page = await self._fetch("GET", path, range_header=None)
        body = decode(page, method="GET", path=path)
        if not isinstance(body, dict):
            raise UnexpectedResponse(
                method="GET",
                path=path,
                status=page.status,
                reason=f"expected a JSON object, got {json_kind(body)} (use get_list for collections)",
                request_id=page.request_id,
            )
        return body

    async def get_list(
        self,
        path: str,
        *,
        sort: str = "id",
        order: Order | None = None,
        page_size: int = MAX_PAGE_SIZE,
        limit: int | None = None,
    ) -> list[JSONObject]:
        """Every item of a collection, following ``Next-Range`` page by page to the end.

        `sort`, `order` and `page_size` shape the ``Range`` header (``releases`` sort by ``version``);
        `limit` stops once that many items are in hand (``sort="version", order="desc", limit=1``
        reads only the newest release).
        """
        items: list[JSONObject] = []
        wanted = page_size if limit is None else max(1, min(page_size, limit))
        range_header = first_range(sort, page_size=wanted, order=order)
        for _ in range(MAX_PAGES):
            page = await self._fetch("GET", path, range_header=range_header)
            body = decode(page, method="GET", path=path)
            if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
                raise UnexpectedResponse(
                    method="GET",
                    path=path,
                    status=page.status,
                    reason=f"expected a JSON array of objects, got {json_kind(body)}",
                    request_id=page.request_id,
                )
            items.extend(body)
            if limit is not None and len(items) >= limit:
                return items[:limit]
            try:
                following = following_range(page.status, page.next_range, range_header)
            except PageError as err:
                raise UnexpectedResponse(
                    method="GET", path=path, status=page.status, reason=str(err), request_id=page.request_id
                ) from None
            if following is None:
                return items
            range_header = following
        raise UnexpectedResponse(
            method="GET", path=path, status=206, reason=f"the list did not end after {MAX_PAGES} pages", request_id=None
        )

    # --- writes --------------------------------------------------------------------------------

    async def post(self, path: str, json: Any = None) -> Any:
        """POST (create); never retried after it may have reached Heroku."""
        return await self.request("POST", path, json=json)

    async def patch(self, path: str, json: Any = None) -> Any:
        """PATCH (update); never retried after it may have reached Heroku."""
        return await self.request("PATCH", path, json=json)

    async def put(self, path: str, json: Any = None) -> Any:
        """PUT (replace); idempotent, so retried after a 5xx or a lost answer."""
        return await self.request("PUT", path, json=json)

    async def delete(self, path: str) -> Any:
        """DELETE; Heroku answers with the deleted object. Not retried by default (see `RetryPolicy`)."""
        return await self.request("DELETE", path)

    async def request(self, method: str, path: str, *, json: Any = None) -> Any:
        """Any method; returns the decoded JSON body (None when empty). GETs use the ETag cache."""
        method = method.upper()
        page = await self._fetch(method, path, range_header=None, json=json)
        return decode(page, method=method, path=path)

    # --- the wire ------------------------------------------------------------------------------

    async def _fetch(self, method: str, path: str, *, range_header: str | None, json: Any = None) -> Page:
        """One logical request: read-only guard, ETag revalidation, retries; returns the usable answer."""
        if self.read_only and method not in READ_METHODS:
            raise ReadOnlyViolation(method=method, path=path)
        if not path.startswith("/") or path.startswith("//"):
            # An absolute URL would carry the token to another host.
            raise ValueError(f"path must be absolute within the API, starting with a single '/' (got {path!r})")
        key = (self.base_url, path, range_header or "")
        cached = self._cache.get(key) if method == "GET" else None
        headers = {}
        if range_header is not None:
            headers["Range"] = range_header
        if cached is not None:
            headers["If-None-Match"] = cached.etag
        response, request_id = await self._send(method, path, headers, json)
        status = response.status_code
        if status == 304:
            if cached is None:
                raise UnexpectedResponse(
                    method=method,
                    path=path,
                    status=304,
                    reason="304 to a request that sent no ETag",
                    request_id=request_id,
                )
            self._stats.not_modified += 1
            return Page(cached.status, cached.next_range, cached.body, request_id)
        if not 200 <= status < 300:
            reason = "a redirect, which the Platform API does not send" if 300 <= status < 400 else "unexpected status"
            raise UnexpectedResponse(method=method, path=path, status=status, reason=reason, request_id=request_id)
        next_range = response.headers.get("Next-Range")
        etag = response.headers.get("ETag")
        if method == "GET" and etag:
            self._cache.put(key, CachedPage(etag=etag, status=status, next_range=next_range, body=response.content))
        return Page(status, next_range, response.content, request_id)

    async def _send(self, method: str, path: str, headers: dict[str, str], json: Any) -> tuple[httpx.Response, str]:
        """Send until there is an answer to hand back, or raise the typed error; retries live here."""
        policy = self._policy
        failures = 0  # 5xx and lost connections so far
        throttles = 0  # 429s so far
        throttled_for = 0.0  # seconds this request has been asked to wait on 429s
        resend = False
        while True:
            self._stats.waited_seconds += await self._gate.wait_turn()
            sent_id = str(uuid.uuid4())
            if resend:
                self._stats.retries += 1
            resend = True
            self._stats.by_method[method] += 1
            started = self._clock.monotonic()
            try:
                async with self._semaphore:
                    response = await self._http.request(
                        method, path, headers={**headers, **self._auth_headers(sent_id)}, json=json
                    )
            except httpx.TransportError as exc:
                self._stats.transport_errors += 1
                reason = describe_transport_error(exc)
                may_resend = isinstance(exc, _NOT_SENT) or policy.retries_after_failure(method)
                if not may_resend or failures + 1 >= policy.attempts:
                    # info, not warning: the TransportError raised says it, and the report collapses it to one line
                    logger.info(
                        "%s %s: no answer (%s), giving up after %d attempts", method, path, reason, failures + 1
                    )
                    raise TransportError(method=method, path=path, reason=reason) from exc
                failures += 1
                delay = backoff_delay(failures, base=policy.base_delay, cap=policy.max_delay, rng=self._rng)
                logger.info(
                    "%s %s: no answer (%s); retry %d of %d in %.2fs",
                    method, path, reason, failures, policy.attempts - 1, delay,
                )  # fmt: skip
                await self._sleep(delay)
                continue

            status = response.status_code
            request_id = response.headers.get("Request-Id") or sent_id
            remaining = parse_remaining(response.headers.get("RateLimit-Remaining"))
            if remaining is not None:
                self._stats.rate_limit_remaining = remaining
                self._gate.observe_remaining(remaining)
            logger.debug(
                "%s %s -> %d in %.0f ms (request id %s, rate limit remaining %s)",
                method, path, status, (self._clock.monotonic() - started) * 1000, request_id, remaining,
            )  # fmt: skip
            if warning := response.headers.get("Warning-Message") or response.headers.get("X-Heroku-Warning"):
                logger.warning("%s %s: Heroku warns: %s (request id %s)", method, path, warning, request_id)

            if status == 429:
                self._stats.rate_limited += 1
                throttles += 1
                asked = parse_retry_after(response.headers.get("Retry-After"), now=self._clock.now())
                left = policy.rate_limit_wait - throttled_for
                if asked is not None:
                    delay = max(asked, policy.refill_interval)
                else:
                    jittered = backoff_delay(
                        throttles, base=policy.rate_limit_base_delay, cap=policy.rate_limit_max_delay, rng=self._rng
                    )
                    delay = max(min(jittered, left), policy.refill_interval)
                if delay > left:
                    error = rate_limit_exhausted(
                        method,
                        path,
                        response,
                        request_id,
                        waited=throttled_for,
                        asked=asked,
                        limit=policy.rate_limit_wait,
                    )
                    logger.warning("%s %s -> 429 (request id %s): %s", method, path, request_id, error.api_message)
                    raise error
                throttled_for += delay
                logger.info(
                    "%s %s -> 429 rate limited (request id %s); waiting %.1fs (%.1fs of %.0fs spent)",
                    method, path, request_id, delay, throttled_for, policy.rate_limit_wait,
                )  # fmt: skip
                # The budget is the account's: every request of this client waits, not just this one.
                self._gate.pause_until(self._clock.monotonic() + delay)
                continue

            if status >= 500:
                self._stats.server_errors += 1
                if policy.retries_after_failure(method) and failures + 1 < policy.attempts:
                    failures += 1
                    delay = backoff_delay(failures, base=policy.base_delay, cap=policy.max_delay, rng=self._rng)
                    logger.info(
                        "%s %s -> %d (request id %s); retry %d of %d in %.2fs",
                        method, path, status, request_id, failures, policy.attempts - 1, delay,
                    )  # fmt: skip
                    await self._sleep(delay)
                    continue
            if status >= 400:
                raise api_error(method, path, response, request_id)
            return response, request_id

    def _auth_headers(self, request_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.secret.reveal()}", "Request-Id": request_id}

    async def _sleep(self, seconds: float) -> None:
        self._stats.waited_seconds += seconds
        await self._clock.sleep(seconds)
