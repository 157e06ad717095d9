"""Injected faults: latency, 5xx, 429 bursts, dropped connections; deterministic with a seed."""

from __future__ import annotations

import httpx
import pytest

from infra.clock import FakeClock
from infra.sandbox import Faults
from infra.sandbox.faults import Fault, FaultInjector
from tests.fixtures.sandbox import SANDBOX_HEADERS, SetFaults

pytestmark = pytest.mark.anyio


async def test_latency_is_added_to_every_heroku_request_on_the_sandbox_clock(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock, set_faults: SetFaults
) -> None:
    set_faults(latency_ms=50)

    await sandbox_client.get("/account")
    await sandbox_client.get("/apps")
    await sandbox_client.get("/__sandbox/faults")

    assert sandbox_clock.sleeps == [0.05, 0.05]


async def test_error_burst_answers_the_next_n_requests_503_then_recovers(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    set_faults(error_burst=2)

    responses = [await sandbox_client.get("/account") for _ in range(3)]

    assert [r.status_code for r in responses] == [503, 503, 200]
    assert responses[0].json() == {"id": "service_unavailable", "message": "The API is temporarily unavailable."}


async def test_rate_limit_burst_answers_429_with_retry_after_when_set(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    set_faults(rate_limit_burst=1, retry_after=2)

    limited = await sandbox_client.get("/account")
    after = await sandbox_client.get("/account")

    assert (limited.status_code, limited.json()["id"]) == (429, "rate_limit")
    assert (limited.headers["Retry-After"], limited.headers["RateLimit-Remaining"]) == ("2", "0")
    assert after.status_code == 200


async def test_rate_limit_burst_without_retry_after_sends_no_header(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    set_faults(rate_limit_burst=1)

    limited = await sandbox_client.get("/account")

    assert limited.status_code == 429
    assert "Retry-After" not in limited.headers


async def test_a_dropped_connection_in_process_is_an_httpx_transport_error(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    set_faults(drop_burst=1)

    with pytest.raises(httpx.TransportError) as caught:
        await sandbox_client.get("/account")
    after = await sandbox_client.get("/account")

    assert isinstance(caught.value, httpx.RemoteProtocolError)
    assert after.status_code == 200


@pytest.mark.slow
def test_a_dropped_connection_over_loopback_is_an_httpx_transport_error(
    sandbox_url: str, set_faults: SetFaults
) -> None:
    set_faults(drop_burst=1)

    with httpx.Client(base_url=sandbox_url, headers=SANDBOX_HEADERS) as client:
        with pytest.raises(httpx.TransportError):
            client.get("/account")
        after = client.get("/account")

    assert after.status_code == 200


async def test_dropped_requests_are_logged_with_status_0(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    set_faults(drop_burst=1)
    with pytest.raises(httpx.TransportError):
        await sandbox_client.get("/account")

    log = (await sandbox_client.get("/__sandbox/requests")).json()

    assert [(e["method"], e["path"], e["status"]) for e in log] == [("GET", "/account", 0)]


def test_rates_draw_the_same_faults_for_the_same_seed() -> None:
    def run(seed: int) -> list[Fault | None]:
        injector = FaultInjector(Faults(error_rate=0.3, drop_rate=0.2, seed=seed))
        return [injector.decide("GET", "/apps").fault for _ in range(40)]

    first, again, other = run(7), run(7), run(8)

    assert first == again
    assert first != other
    assert {Fault.ERROR, Fault.DROP, None} == set(first)


def test_bursts_fire_one_per_request_drop_then_error_then_rate_limit() -> None:
    injector = FaultInjector(Faults(drop_burst=1, error_burst=1, rate_limit_burst=1))

    faults = [injector.decide("GET", "/apps").fault for _ in range(4)]

    assert faults == [Fault.DROP, Fault.ERROR, Fault.RATE_LIMIT, None]
    assert injector.faults == Faults()


async def test_faults_are_read_and_replaced_through_the_admin_api_without_credentials(
    sandbox_client: httpx.AsyncClient,
) -> None:
    admin = httpx.AsyncClient(transport=sandbox_client._transport, base_url=str(sandbox_client.base_url))

    put = await admin.put("/__sandbox/faults", json={"error_burst": 1, "fail_promotion_targets": ["prod-app"]})
    got = await admin.get("/__sandbox/faults")
    refused = await admin.put("/__sandbox/faults", json={"error_rate": 2})

    expected = {
        "latency_ms": 0,
        "error_rate": 0.0,
        "error_burst": 1,
        "rate_limit_burst": 0,
        "retry_after": None,
        "drop_rate": 0.0,
        "drop_burst": 0,
        "drop_match": "",
        "drop_after_apply_burst": 0,
        "drop_after_apply_match": "",
        "fail_promotion_targets": ["prod-app"],
        "seed": None,
    }
    assert (put.status_code, put.json()) == (200, expected)
    assert got.json() == expected
    assert (refused.status_code, refused.json()) == (
        422,
        {"id": "invalid_params", "message": "Invalid params: error_rate: Input should be less than or equal to 1."},
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"retry_after": "Infinity"}, "retry_after: Input should be a finite number."),
        ({"retry_after": 1e9}, "retry_after: Input should be less than or equal to 86400."),
        ({"drop_after_apply_match": "POST /apps("}, "drop_after_apply_match: not a regular expression: missing )"),
    ],
)
async def test_fault_settings_that_cannot_be_honoured_are_refused_422(
    sandbox_client: httpx.AsyncClient, body: dict[str, object], message: str
) -> None:
    refused = await sandbox_client.put("/__sandbox/faults", json=body)
    now = await sandbox_client.get("/__sandbox/faults")

    assert (refused.status_code, refused.json()["id"]) == (422, "invalid_params")
    assert message in refused.json()["message"]
    assert now.json()["retry_after"] is None


async def test_a_write_dropped_after_apply_takes_effect_though_the_client_never_hears(
    sandbox_client: httpx.AsyncClient, set_faults: SetFaults
) -> None:
    set_faults(drop_after_apply_burst=1, drop_after_apply_match="^PATCH /apps/[^/]+/config-vars$")
    await sandbox_client.post("/apps", json={"name": "shop-staging"})
    await sandbox_client.get("/apps/shop-staging/config-vars")

    with pytest.raises(httpx.RemoteProtocolError):
        await sandbox_client.patch("/apps/shop-staging/config-vars", json={"LOG_LEVEL": "DEBUG"})
    config = await sandbox_client.get("/apps/shop-staging/config-vars")
    log = (await sandbox_client.get("/__sandbox/requests")).json()

    assert config.json() == {"LOG_LEVEL": "DEBUG"}
    assert [(e["method"], e["status"]) for e in log] == [("POST", 201), ("GET", 200), ("PATCH", 0), ("GET", 200)]
    assert (await sandbox_client.get("/__sandbox/faults")).json()["drop_after_apply_burst"] == 0


def test_a_drop_burst_with_a_pattern_drops_only_matching_requests() -> None:
    injector = FaultInjector(Faults(drop_burst=1, drop_match="^POST /pipeline-promotions$"))

    faults = [injector.decide(m, p).fault for m, p in [("GET", "/apps"), ("POST", "/pipeline-promotions")] * 2]

    assert faults == [None, Fault.DROP, None, None]


def test_drop_after_apply_fires_only_on_writes_that_match() -> None:
    injector = FaultInjector(Faults(drop_after_apply_burst=1, drop_after_apply_match="POST /pipeline-promotions"))

    faults = [
        injector.decide("GET", "/pipeline-promotions/abc").fault,
        injector.decide("POST", "/apps").fault,
        injector.decide("POST", "/pipeline-promotions").fault,
        injector.decide("POST", "/pipeline-promotions").fault,
    ]

    assert faults == [None, None, Fault.APPLY_THEN_DROP, None]


@pytest.mark.slow
def test_a_write_dropped_after_apply_over_loopback_is_a_transport_error_and_the_app_exists(
    sandbox_url: str, set_faults: SetFaults
) -> None:
    set_faults(drop_after_apply_burst=1)

    with httpx.Client(base_url=sandbox_url, headers=SANDBOX_HEADERS) as client:
        with pytest.raises(httpx.TransportError):
            client.post("/apps", json={"name": "shop-production"})
        after = client.get("/apps/shop-production")

    assert (after.status_code, after.json()["name"]) == (200, "shop-production")


async def test_admin_requests_are_never_faulted(sandbox_client: httpx.AsyncClient, set_faults: SetFaults) -> None:
    set_faults(error_rate=1.0)

    admin = await sandbox_client.get("/__sandbox/requests")
    api = await sandbox_client.get("/account")

    assert (admin.status_code, api.status_code) == (200, 503)
