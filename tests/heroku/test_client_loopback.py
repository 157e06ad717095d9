"""The client over a real socket: the sandbox served by uvicorn on a loopback port."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.clock import FakeClock
from infra.errors import TransportError
from infra.heroku import HerokuClient
from infra.sandbox import BackgroundServer
from tests.fixtures.sandbox import SANDBOX_TOKEN, SetFaults

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_netrc_entry_for_host_and_port_authenticates_against_the_sandbox(
    sandbox_server: BackgroundServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text(
        f"machine 127.0.0.1 login me@example.com password wrong-port-token\n"
        f"machine 127.0.0.1:{sandbox_server.port} login me@example.com password {SANDBOX_TOKEN}\n"
    )
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HEROKU_API_URL", sandbox_server.base_url)
    async with HerokuClient(read_only=True) as heroku:
        account = await heroku.get("/account")
    assert account["email"] == "sandbox@example.com"


async def test_dropped_connections_on_a_real_socket_are_retried_for_reads_only(
    sandbox_server: BackgroundServer, set_faults: SetFaults
) -> None:
    async with HerokuClient(base_url=sandbox_server.base_url, token=SANDBOX_TOKEN, clock=FakeClock()) as heroku:
        set_faults(drop_burst=2)
        assert await heroku.get_list("/apps") == []
        set_faults(drop_burst=1)
        with pytest.raises(TransportError) as err:
            await heroku.post("/apps", json={"name": "shop-staging"})
        stats = heroku.stats
    # A socket cut mid-answer reads as a protocol error or a reset, depending on timing.
    assert err.value.reason.split(":")[0] in {"RemoteProtocolError", "ReadError"}
    assert (stats.by_method, stats.transport_errors, stats.retries) == ({"GET": 3, "POST": 1}, 3, 2)


async def test_a_scan_over_loopback_pages_and_revalidates(sandbox_server: BackgroundServer) -> None:
    async with HerokuClient(base_url=sandbox_server.base_url, token=SANDBOX_TOKEN, concurrency=4) as heroku:
        for n in range(30):
            await heroku.post("/apps", json={"name": f"app-{n:02d}"})
        first = await heroku.get_list("/apps", sort="name", page_size=7)
        second = await heroku.get_list("/apps", sort="name", page_size=7)
        stats = heroku.stats
    assert second == first
    assert [a["name"] for a in first] == [f"app-{n:02d}" for n in range(30)]
    assert (stats.by_method, stats.not_modified) == ({"GET": 10, "POST": 30}, 5)
