"""The Platform API's conventions around every Heroku-path request, as an ASGI middleware.

In order: the router (a `Host` naming an app's hostname or custom domain is answered by the
emulated app, not the API); `/__sandbox/` admin paths pass straight through (no auth, no
faults); then injected faults (latency, dropped connection, 503, 429 burst); `Accept`
(406 `not_acceptable`); credentials (401 `unauthorized`); the token bucket (429 `rate_limit`;
`GET /account/rate-limits` is free); then the endpoint. Every API answer carries
`Request-Id` (the caller's, or a new UUID) and `RateLimit-Remaining`; a GET's 200/206 answer
carries an `ETag`, and `If-None-Match` with that tag gets 304 and no body. An unexpected
exception becomes 500 `internal_server_error` JSON: bad input never takes the sandbox down.

`Accept` decision: `application/vnd.heroku+json; version=3` (and `3.<variant>`) is the API;
a missing header, `*/*` and `application/json` are served as version 3 too, so plain curl
works; any other version or media type is 406, as Heroku answers an unknown version.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.sandbox import router
from infra.sandbox.context import LoggedRequest, Sandbox
from infra.sandbox.faults import ConnectionDropped, Fault
from infra.sandbox.platform_rules import CALLER_TOKEN
from infra.sandbox.registry import REGISTRY_PREFIX
from infra.sandbox.responses import JSON_TYPE, ApiError

log = logging.getLogger("infra.sandbox")

ADMIN_PREFIX = "/__sandbox/"
FREE_PATHS = frozenset({"/account/rate-limits"})
_VERSION = re.compile(r"version\s*=\s*([^;,\s]+)")
_REQUEST_ID = re.compile(r"^[\w.,:-]{1,200}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def accepts_v3(accept: str | None) -> bool:
    """Whether an `Accept` header asks for something this API version serves (see the module docstring)."""
    if accept is None or not accept.strip():
        return True
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in ("*/*", "application/*", "application/json"):
            return True
        if media == "application/vnd.heroku+json":
            found = _VERSION.search(item)
            if found is not None and (found.group(1) == "3" or found.group(1).startswith("3.")):
                return True
    return False


def token_of(authorization: str | None) -> str | None:
    """The API token in a Bearer or Basic (token as password, any user) `Authorization` header."""
    if authorization is None:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, sep, password = decoded.partition(":")
        return password or None if sep else None
    return None


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


async def send_json(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-type", JSON_TYPE.encode()), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def error_bytes(err: ApiError) -> bytes:
    return json.dumps(err.body(), separators=(",", ":")).encode()


@dataclass
class _Exchange:
    """One request's answer so far: the headers every answer gets, and the status sent (0 = none)."""

    send: Send
    headers: list[tuple[bytes, bytes]]
    status: int = 0

    async def error(self, err: ApiError, extra: list[tuple[bytes, bytes]] | None = None) -> None:
        self.status = err.status
        own = [(k.encode(), v.encode()) for k, v in err.headers.items()]
        await send_json(self.send, err.status, error_bytes(err), [*self.headers, *(extra or []), *own])


class HerokuConventions:
    """Wraps the sandbox's routes with Heroku's request and response conventions."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith((ADMIN_PREFIX, REGISTRY_PREFIX)):
            await self._endpoint(scope, receive, _Exchange(send, []))
            return
        if await router.serve(self.sandbox, scope, receive, send):
            return
        given = _header(scope, b"request-id")
        request_id = given if given is not None and _REQUEST_ID.match(given) else str(uuid.uuid4())
        exchange = _Exchange(send, [(b"request-id", request_id.encode())])
        try:
            await self._api(scope, receive, exchange)
        except ConnectionDropped:
            exchange.status = 0
            raise
        finally:
            entry = LoggedRequest(scope["method"], scope["path"], exchange.status, request_id, "api")
            self.sandbox.requests.add(entry)

    async def _api(self, scope: Scope, receive: Receive, exchange: _Exchange) -> None:
        sandbox = self.sandbox
        decision = sandbox.faults.decide(scope["method"], scope["path"])
        if decision.latency_s > 0:
            await sandbox.clock.sleep(decision.latency_s)
        if decision.fault is Fault.DROP:
            await _drop(exchange.send)
        if decision.fault is Fault.APPLY_THEN_DROP:
            await self._served_then_dropped(scope, receive, exchange)
        if decision.fault is Fault.ERROR:
            await exchange.error(ApiError(503, "service_unavailable", "The API is temporarily unavailable."))
            return
        if decision.fault is Fault.RATE_LIMIT:
            retry_after = sandbox.faults.faults.retry_after
            extra = [] if retry_after is None else [(b"retry-after", _seconds(retry_after).encode())]
            await exchange.error(_rate_limited(), [(b"ratelimit-remaining", b"0"), *extra])
            return
        if not accepts_v3(_header(scope, b"accept")):
            message = "This API version is not available; send Accept: application/vnd.heroku+json; version=3."
            await exchange.error(ApiError(406, "not_acceptable", message))
            return
        token = token_of(_header(scope, b"authorization"))
        allowed = sandbox.config.tokens
        # A token given an account (`PUT /__sandbox/accounts`) is accepted like the configured ones.
        if token is None or (allowed is not None and token not in allowed and token not in sandbox.accounts):
            await exchange.error(ApiError(401, "unauthorized", "Invalid credentials provided."))
            return
        if scope["path"] in FREE_PATHS:
            remaining = sandbox.buckets.remaining(token)
        else:
            allowed_now, remaining = sandbox.buckets.take(token)
            if not allowed_now:
                await exchange.error(_rate_limited(), [(b"ratelimit-remaining", b"0")])
                return
        scope.setdefault("state", {})["token"] = token
        exchange.headers.append((b"ratelimit-remaining", str(remaining).encode()))
        caller = CALLER_TOKEN.set(token)
        try:
            await self._endpoint(scope, receive, exchange)
        finally:
            CALLER_TOKEN.reset(caller)

    async def _served_then_dropped(self, scope: Scope, receive: Receive, exchange: _Exchange) -> None:
        """Serve the request in full (its write commits), throw the answer away, then cut the connection."""
        real_send = exchange.send

        async def discard(message: Message) -> None:
            return None

        exchange.send = discard
        try:
            await self._endpoint(scope, receive, exchange)
        finally:
            exchange.send = real_send
        await _drop(real_send)

    async def _endpoint(self, scope: Scope, receive: Receive, exchange: _Exchange) -> None:
        """Run the endpoint: add the exchange's headers, ETag/304 on GET, a crash becomes 500 JSON."""
        conditional = scope["method"] in ("GET", "HEAD")
        if_none_match = _header(scope, b"if-none-match")
        held: list[Message] = []  # a GET's 200/206 start, held back until the body gives its ETag
        sent = [False]
        body = bytearray()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), *exchange.headers]}
                if conditional and message["status"] in (200, 206):
                    held.append(message)
                    return
            elif message["type"] == "http.response.body" and held:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    sent[0] = True
                    exchange.status = await _send_with_etag(exchange.send, held[0], bytes(body), if_none_match)
                return
            sent[0] = True
            await exchange.send(message)

        try:
            await self.app(scope, receive, wrapped)
        except ConnectionDropped:
            raise
        except ClientDisconnect:
            return  # the client left while its body was read: there is no one to answer
        except Exception:
            log.exception("sandbox: unexpected error on %s %s", scope["method"], scope["path"])
            if sent[0]:
                raise
            await exchange.error(ApiError(500, "internal_server_error", "An internal error occurred in the sandbox."))


async def _send_with_etag(send: Send, start: Message, body: bytes, if_none_match: str | None) -> int:
    """Send a held 200/206 with its ETag, or 304 when the caller already has it; returns the status sent."""
    etag = _etag(body)
    headers = [(k, v) for k, v in start["headers"] if k.lower() != b"etag"]
    headers.append((b"etag", etag.encode()))
    if _matches(if_none_match, etag):
        headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return 304
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return int(start["status"])


def _rate_limited() -> ApiError:
    return ApiError(
        429,
        "rate_limit",
        "Your account reached the API rate limit. Please wait a few minutes before making new requests.",
    )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


async def _drop(send: Send) -> None:
    """Start an answer, send a fragment of it, then die: the client sees the connection cut mid-body."""
    headers = [(b"content-type", JSON_TYPE.encode()), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"id":', "more_body": True})
    raise ConnectionDropped("sandbox fault: connection dropped")
