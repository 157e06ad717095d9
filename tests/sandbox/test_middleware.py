"""Heroku's API conventions around every request: auth, Accept, Request-Id, rate limit, ETag, errors."""

from __future__ import annotations

import base64

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router

from infra.sandbox import RateLimit, SandboxConfig, SandboxTransport
from infra.sandbox.context import Sandbox
from infra.sandbox.middleware import HerokuConventions, accepts_v3, token_of
from infra.sandbox.responses import UNKNOWN_ENDPOINT
from tests.fixtures.sandbox import HEROKU_ACCEPT, SANDBOX_BASE_URL, SANDBOX_TOKEN

pytestmark = pytest.mark.anyio


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_bearer_token_is_accepted(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get("/account")

    assert response.status_code == 200
    assert response.json()["email"] == "sandbox@example.com"


async def test_basic_auth_with_the_token_as_password_and_any_user_is_accepted(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.get("/account", headers={"Authorization": basic("me@example.com", SANDBOX_TOKEN)})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Bearer ", basic("me@example.com", ""), "Basic !!!", "Token abc"],
)
async def test_missing_or_wrong_credentials_are_401_unauthorized(
    sandbox_client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Accept": HEROKU_ACCEPT}
    if authorization is not None:
        headers["Authorization"] = authorization
    client = httpx.AsyncClient(transport=sandbox_client._transport, base_url=SANDBOX_BASE_URL, headers=headers)

    response = await client.get("/apps")

    assert (response.status_code, response.json()) == (
        401,
        {"id": "unauthorized", "message": "Invalid credentials provided."},
    )


def test_any_non_empty_token_is_accepted_when_no_tokens_are_configured() -> None:
    assert token_of("Bearer anything") == "anything"
    assert token_of(basic("", "key")) == "key"
    assert token_of("Bearer") is None


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        (HEROKU_ACCEPT, True),
        ("application/vnd.heroku+json; version=3.sdk", True),
        (None, True),
        ("*/*", True),
        ("application/json", True),
        ("application/vnd.heroku+json; version=2", False),
        ("application/vnd.heroku+json", False),
        ("text/html", False),
    ],
)
def test_accept_header_selects_version_3_or_is_refused(accept: str | None, served: bool) -> None:
    assert accepts_v3(accept) is served


async def test_another_api_version_is_406_not_acceptable(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get("/apps", headers={"Accept": "application/vnd.heroku+json; version=2"})

    assert response.status_code == 406
    assert response.json()["id"] == "not_acceptable"


async def test_request_id_is_echoed_when_given_and_generated_otherwise(sandbox_client: httpx.AsyncClient) -> None:
    echoed = await sandbox_client.get("/account", headers={"Request-Id": "abc-123"})
    generated = await sandbox_client.get("/account")

    assert echoed.headers["Request-Id"] == "abc-123"
    assert len(generated.headers["Request-Id"]) == 36


async def test_every_request_spends_one_token_and_rate_limits_is_free(sandbox_client: httpx.AsyncClient) -> None:
    first = await sandbox_client.get("/account")
    second = await sandbox_client.get("/apps")
    limits = await sandbox_client.get("/account/rate-limits")

    assert [first.headers["RateLimit-Remaining"], second.headers["RateLimit-Remaining"]] == ["4499", "4498"]
    assert limits.json() == {"remaining": 4498}
    assert limits.headers["RateLimit-Remaining"] == "4498"


async def test_an_empty_bucket_answers_429_rate_limit_until_it_refills(sandbox_clock: object) -> None:
    from infra.clock import FakeClock
    from infra.sandbox import create_app

    assert isinstance(sandbox_clock, FakeClock)
    app = create_app(SandboxConfig(clock=sandbox_clock, rate_limit=RateLimit(capacity=2, refill_per_second=1.0)))
    headers = {"Accept": HEROKU_ACCEPT, "Authorization": "Bearer t"}
    async with httpx.AsyncClient(transport=SandboxTransport(app), base_url=SANDBOX_BASE_URL, headers=headers) as c:
        statuses = [(await c.get("/account")).status_code for _ in range(3)]
        refused = await c.get("/account")
        sandbox_clock.advance(1.0)
        after_refill = await c.get("/account")

    assert statuses == [200, 200, 429]
    assert refused.json()["id"] == "rate_limit"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert "Retry-After" not in refused.headers
    assert after_refill.status_code == 200


async def test_if_none_match_with_the_etag_gives_304_without_body(sandbox_client: httpx.AsyncClient) -> None:
    await sandbox_client.post("/apps", json={"name": "etag-app"})
    first = await sandbox_client.get("/apps/etag-app")

    again = await sandbox_client.get("/apps/etag-app", headers={"If-None-Match": first.headers["ETag"]})
    await sandbox_client.patch("/apps/etag-app", json={"maintenance": True})
    changed = await sandbox_client.get("/apps/etag-app", headers={"If-None-Match": first.headers["ETag"]})

    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["ETag"] == first.headers["ETag"]
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]


async def test_unknown_path_and_unserved_verb_are_404_not_found(sandbox_client: httpx.AsyncClient) -> None:
    unknown = await sandbox_client.get("/no-such-endpoint")
    wrong_verb = await sandbox_client.put("/apps")

    assert unknown.status_code == wrong_verb.status_code == 404
    assert unknown.json() == wrong_verb.json() == {"id": "not_found", "message": UNKNOWN_ENDPOINT}


async def test_missing_resource_is_404_not_found_naming_the_resource(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get("/apps/no-such-app")

    assert (response.status_code, response.json()) == (
        404,
        {"id": "not_found", "message": "Couldn't find that app. (no-such-app)", "resource": "app"},
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe",
        b'{"name": NaN}',
        b'{"name": Infinity}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    ],
    ids=["broken", "array", "string", "not-utf8", "nan", "infinity", "nested-arrays", "nested-objects"],
)
async def test_a_body_that_is_not_a_json_object_is_400_bad_request(
    sandbox_client: httpx.AsyncClient, body: bytes
) -> None:
    response = await sandbox_client.post("/apps", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["id"] == "bad_request"


async def test_a_field_of_the_wrong_type_is_422_invalid_params(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/apps", json={"name": 42})

    assert (response.status_code, response.json()) == (
        422,
        {"id": "invalid_params", "message": "Invalid params: name: Input should be a valid string."},
    )


async def test_an_unexpected_exception_becomes_500_internal_server_error_json() -> None:
    async def crash(request: Request) -> Response:
        raise RuntimeError("boom")

    sandbox = Sandbox(SandboxConfig())
    inner = Router(routes=[Route("/apps", crash)])
    app = HerokuConventions(inner, sandbox)
    headers = {"Accept": HEROKU_ACCEPT, "Authorization": "Bearer t"}
    async with httpx.AsyncClient(transport=SandboxTransport(app), base_url=SANDBOX_BASE_URL, headers=headers) as c:
        response = await c.get("/apps")

    assert (response.status_code, response.json()) == (
        500,
        {"id": "internal_server_error", "message": "An internal error occurred in the sandbox."},
    )
    assert response.headers["Request-Id"]


async def test_a_client_that_leaves_while_its_body_is_read_gets_no_answer_and_no_error_logged(
    sandbox_state: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    from infra.sandbox import create_app

    app = create_app(sandbox_state.config)
    messages: list[dict[str, object]] = [
        {"type": "http.request", "body": b'{"name": "shop', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    headers = [(b"accept", HEROKU_ACCEPT.encode()), (b"authorization", f"Bearer {SANDBOX_TOKEN}".encode())]
    scope = {"type": "http", "method": "POST", "path": "/apps", "headers": headers, "query_string": b""}
    await app(scope, receive, send)

    assert sent == []
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
