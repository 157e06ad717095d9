"""Turning answers into values and typed errors: pure functions over httpx's response objects."""

from __future__ import annotations

import httpx
import pytest

from infra.errors import Forbidden, HerokuAPIError, NotFound, ServerError, UnexpectedResponse
from infra.heroku.answers import Page, api_error, decode, error_body, rate_limit_exhausted


def answer(status: int, content: bytes) -> httpx.Response:
    return httpx.Response(status, content=content, request=httpx.Request("GET", "https://api.heroku.com/apps/x"))


@pytest.mark.parametrize(
    ("status", "content", "cls", "error_id"),
    [
        (404, b'{"id":"not_found","message":"Couldn\'t find that app.","resource":"app"}', NotFound, "not_found"),
        (403, b'{"id":"suspended","message":"This account is suspended."}', Forbidden, "suspended"),
        (502, b"<html>Bad Gateway</html>", ServerError, "unknown"),
        (418, b'{"id":"teapot","message":"I am a teapot."}', HerokuAPIError, "teapot"),
    ],
)
def test_error_class_follows_herokus_id_then_the_status(
    status: int, content: bytes, cls: type[HerokuAPIError], error_id: str
) -> None:
    error = api_error("GET", "/apps/x", answer(status, content), "rid-1")
    assert (type(error), error.error_id, error.status, error.request_id) == (cls, error_id, status, "rid-1")


def test_a_body_that_is_not_herokus_error_is_summarised_not_echoed() -> None:
    assert error_body(answer(502, b"<html>secret-ish proxy page</html>")) == (
        "unknown",
        "Bad Gateway (the body was not Heroku's JSON error)",
    )


def test_a_success_body_that_is_not_json_is_an_unexpected_response() -> None:
    with pytest.raises(UnexpectedResponse) as err:
        decode(Page(200, None, b"<html>", "rid-2"), method="GET", path="/apps")
    assert str(err.value) == "GET /apps -> 200: the body is not JSON, request id rid-2"


def test_an_empty_body_decodes_to_none() -> None:
    assert decode(Page(202, None, b"", "rid-3"), method="DELETE", path="/apps/x") is None


def test_rate_limit_error_says_why_the_client_stopped_waiting() -> None:
    body = b'{"id":"rate_limit","message":"Your account reached the API rate limit."}'
    error = rate_limit_exhausted("GET", "/apps", answer(429, body), "rid-4", waited=100.0, asked=None, limit=120.0)
    assert str(error) == (
        "GET /apps -> 429 rate_limit: Your account reached the API rate limit. "
        "(gave up after waiting 100s of the 120s limit), request id rid-4"
    )
