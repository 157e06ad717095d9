"""The token is a secret from the moment it is read; log lines carry Heroku's Request-Id, never a token or a body."""

from __future__ import annotations

import asyncio
import logging
import traceback

import pytest

from infra.clock import FakeClock
from infra.errors import HerokuError, MissingCredentials
from infra.sandbox import SandboxTransport
from tests.fixtures.sandbox import SANDBOX_TOKEN, SetFaults
from tests.heroku.helpers import sandbox_client, sandbox_entries

pytestmark = pytest.mark.anyio

SECRET_VALUE = "mongodb+srv://shop:s3cr3t-password@cluster0.example.net/shop"


async def test_the_token_is_in_no_repr_error_traceback_or_log_line(
    sandbox_transport: SandboxTransport, set_faults: SetFaults, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's and httpcore's included
    failures: list[BaseException] = []
    async with sandbox_client(sandbox_transport) as heroku:
        await heroku.post("/apps", json={"name": "shop-staging"})
        await heroku.patch("/apps/shop-staging/config-vars", json={"MONGODB_URI": SECRET_VALUE})
        await heroku.get("/apps/shop-staging/config-vars")
        for faults, call in [
            ({"error_burst": 9}, heroku.get("/apps/shop-staging/config-vars")),
            ({"drop_burst": 1}, heroku.patch("/apps/shop-staging/config-vars", json={"MONGODB_URI": SECRET_VALUE})),
            ({"rate_limit_burst": 1, "retry_after": 999}, heroku.get("/apps/shop-staging")),
            ({}, heroku.get("/apps/missing-app")),
        ]:
            set_faults(**faults)
            with pytest.raises(HerokuError) as err:
                await call
            failures.append(err.value)
        shown = [repr(heroku), repr(heroku.stats)]
    shown += ["".join(traceback.format_exception(failure)) for failure in failures]
    shown += [caplog.text]
    assert [SANDBOX_TOKEN in text or SECRET_VALUE in text for text in shown] == [False] * len(shown)
    assert len(caplog.records) > 10  # the client did log, at every level it uses


async def test_the_repr_names_where_the_token_came_from(sandbox_transport: SandboxTransport) -> None:
    async with sandbox_client(sandbox_transport, read_only=True) as heroku:
        assert repr(heroku) == (
            "HerokuClient(base_url='http://sandbox.localhost', read-only, concurrency=8, token from the token argument)"
        )


async def test_log_lines_carry_herokus_request_id_and_the_retry(
    sandbox_transport: SandboxTransport, set_faults: SetFaults, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="infra.heroku")
    set_faults(error_burst=1)
    clock = FakeClock()
    async with sandbox_client(sandbox_transport, clock=clock) as heroku:
        await heroku.get("/account")
    failed, served = (e["request_id"] for e in await sandbox_entries(sandbox_transport))
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("infra.heroku")]
    assert lines == [
        ("DEBUG", f"GET /account -> 503 in 0 ms (request id {failed}, rate limit remaining None)"),
        ("INFO", f"GET /account -> 503 (request id {failed}); retry 1 of 3 in {clock.sleeps[0]:.2f}s"),
        ("DEBUG", f"GET /account -> 200 in 0 ms (request id {served}, rate limit remaining 4499)"),
    ]


def test_the_client_needs_a_token_and_says_how_to_give_one() -> None:
    with pytest.raises(MissingCredentials) as err:
        sandbox_client(None, token=None, base_url="https://api.heroku.com")
    assert str(err.value).startswith(
        "no Heroku API token for https://api.heroku.com: set HEROKU_API_KEY, pass a token, or add "
        "`machine api.heroku.com login <email> password <token>` to "
    )


def test_the_client_reads_heroku_api_key_and_heroku_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", SANDBOX_TOKEN)
    monkeypatch.setenv("HEROKU_API_URL", "http://127.0.0.1:5000/")
    heroku = sandbox_client(None, token=None, base_url=None)
    shown = repr(heroku)
    asyncio.run(heroku.aclose())
    assert shown == (
        "HerokuClient(base_url='http://127.0.0.1:5000', read-write, concurrency=8, token from HEROKU_API_KEY)"
    )
