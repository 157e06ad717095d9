"""The emulated router: requests for an app's hostname or custom domain are answered by the app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infra.clock import FakeClock
from tests.fixtures.sandbox import SetAppHttp
from tests.sandbox.helpers import deploy, new_app, ok

pytestmark = pytest.mark.anyio


def host_of(app: dict[str, Any]) -> str:
    return str(app["web_url"]).removeprefix("https://").rstrip("/")


async def get_health(client: httpx.AsyncClient, host: str) -> httpx.Response:
    return await client.get("/health", headers={"Host": host})


async def deployed_app(client: httpx.AsyncClient) -> dict[str, Any]:
    app = await new_app(client, "shop-staging")
    await deploy(client, "shop-staging")
    return app


async def test_a_deployed_app_answers_ok_with_its_current_release(sandbox_client: httpx.AsyncClient) -> None:
    app = await deployed_app(sandbox_client)

    response = await get_health(sandbox_client, host_of(app))

    assert (response.status_code, response.json()) == (200, {"status": "ok", "release": "v3"})


async def test_a_custom_domain_reaches_the_same_app_and_the_port_is_ignored(sandbox_client: httpx.AsyncClient) -> None:
    await deployed_app(sandbox_client)
    await sandbox_client.post("/apps/shop-staging/domains", json={"hostname": "www.example.com", "sni_endpoint": None})

    response = await get_health(sandbox_client, "www.example.com:8080")

    assert (response.status_code, response.json()) == (200, {"status": "ok", "release": "v3"})


async def test_an_app_without_a_slug_is_a_503_h14_page(sandbox_client: httpx.AsyncClient) -> None:
    app = await new_app(sandbox_client, "shop-staging")

    response = await get_health(sandbox_client, host_of(app))

    assert response.status_code == 503
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<iframe src="//www.herokucdn.com/error-pages/application-error.html">' in response.text
    assert "H14" not in response.text  # Heroku logs the code; the page never says it


async def test_web_scaled_to_zero_is_a_503(sandbox_client: httpx.AsyncClient) -> None:
    app = await deployed_app(sandbox_client)
    await ok(sandbox_client.patch("/apps/shop-staging/formation/web", json={"quantity": 0}))

    response = await get_health(sandbox_client, host_of(app))

    assert response.status_code == 503


async def test_an_unknown_herokuapp_host_is_404(sandbox_client: httpx.AsyncClient) -> None:
    response = await get_health(sandbox_client, "nobody-0123456789ab.herokuapp.com")

    assert (response.status_code, response.text.endswith("There's nothing here, yet.</body></html>")) == (404, True)


async def test_a_host_no_app_has_added_gets_herokus_no_such_app_page_not_the_api(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await new_app(sandbox_client, "shop-staging")

    response = await sandbox_client.get("/apps/shop-staging", headers={"Host": "www.nobody.example"})
    log = await ok(sandbox_client.get("/__sandbox/requests"))

    assert (response.status_code, response.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert response.text.endswith("There's nothing here, yet.</body></html>")
    assert [(e["path"], e["status"], e["target"]) for e in log][-1] == ("/apps/shop-staging", 404, "app")


async def test_the_api_answers_on_loopback_names_and_addresses(sandbox_client: httpx.AsyncClient) -> None:
    await new_app(sandbox_client, "shop-staging")

    statuses = [
        (await sandbox_client.get("/apps/shop-staging", headers={"Host": host})).status_code
        for host in ("localhost:5050", "sandbox.localhost", "127.0.0.1:5050", "[::1]:5050", "testserver")
    ]

    assert statuses == [200, 200, 200, 200, 200]


async def test_an_app_is_unhealthy_only_while_a_listed_release_is_current(
    sandbox_client: httpx.AsyncClient, set_app_http: SetAppHttp
) -> None:
    app = await deployed_app(sandbox_client)
    good = await ok(sandbox_client.get("/apps/shop-staging/releases/3"))
    broken = await deploy(sandbox_client, "shop-staging", commit="bad0000")
    set_app_http("shop-staging", unhealthy_releases=[broken["slug"]["id"]])

    on_broken = await get_health(sandbox_client, host_of(app))
    await ok(sandbox_client.post("/apps/shop-staging/releases", json={"release": good["id"]}), 201)
    rolled_back = await get_health(sandbox_client, host_of(app))
    set_app_http("shop-staging", unhealthy_releases=[5, "v9"])
    by_version = await get_health(sandbox_client, host_of(app))

    assert (on_broken.status_code, rolled_back.status_code, by_version.status_code) == (503, 200, 503)
    assert rolled_back.json() == {"status": "ok", "release": "v5"}


async def test_an_unhealthy_app_answers_its_unhealthy_status(
    sandbox_client: httpx.AsyncClient, set_app_http: SetAppHttp
) -> None:
    app = await deployed_app(sandbox_client)
    set_app_http("shop-staging", unhealthy=True, unhealthy_status=500)

    response = await get_health(sandbox_client, host_of(app))

    assert response.status_code == 500


async def test_slow_then_healthy_by_request_count(sandbox_client: httpx.AsyncClient, set_app_http: SetAppHttp) -> None:
    app = await deployed_app(sandbox_client)
    set_app_http("shop-staging", unhealthy_for_requests=2)

    statuses = [(await get_health(sandbox_client, host_of(app))).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]


async def test_slow_then_healthy_by_time_and_delay_on_the_sandbox_clock(
    sandbox_client: httpx.AsyncClient, set_app_http: SetAppHttp, sandbox_clock: FakeClock
) -> None:
    app = await deployed_app(sandbox_client)
    set_app_http("shop-staging", unhealthy_for_seconds=30, delay_ms=1500)

    early = await get_health(sandbox_client, host_of(app))
    sandbox_clock.advance(30)
    later = await get_health(sandbox_client, host_of(app))

    assert (early.status_code, later.status_code) == (503, 200)
    assert sandbox_clock.sleeps == [1.5, 1.5]


async def test_a_wrong_body_and_the_previous_release_are_set_through_the_admin_api(
    sandbox_client: httpx.AsyncClient,
) -> None:
    app = await deployed_app(sandbox_client)

    await ok(sandbox_client.put("/__sandbox/apps/shop-staging/http", json={"report_previous_release": True}))
    previous = await get_health(sandbox_client, host_of(app))
    await ok(sandbox_client.put("/__sandbox/apps/shop-staging/http", json={"body": {"status": "degraded"}}))
    wrong = await get_health(sandbox_client, host_of(app))
    behaviour = await ok(sandbox_client.get("/__sandbox/apps/shop-staging/http"))

    assert previous.json() == {"status": "ok", "release": "v2"}
    assert wrong.json() == {"status": "degraded"}
    assert behaviour == {
        "delay_ms": 0,
        "unhealthy": False,
        "unhealthy_status": 503,
        "unhealthy_releases": [],
        "unhealthy_for_requests": 0,
        "unhealthy_for_seconds": 0.0,
        "body": {"status": "degraded"},
        "paths": {},
        "report_previous_release": False,
    }


async def test_an_app_answers_each_path_as_its_code_would_with_the_current_release_filled_in(
    sandbox_client: httpx.AsyncClient,
) -> None:
    app = await deployed_app(sandbox_client)
    behaviour = {
        "body": {"status": "healthy", "version": "{release}"},
        "paths": {
            "/metrics": {"content_type": "text/plain; version=0.0.4", "text": "# TYPE up gauge\nup 1\n"},
            "/health/status": {"json": {"database": "ok", "release": "{release}"}},
        },
    }
    await ok(sandbox_client.put("/__sandbox/apps/shop-staging/http", json=behaviour))

    anywhere = await get_health(sandbox_client, host_of(app))
    metrics = await sandbox_client.get("/metrics", headers={"Host": host_of(app)})
    status = await sandbox_client.get("/health/status", headers={"Host": host_of(app)})

    assert anywhere.json() == {"status": "healthy", "version": "v3"}
    assert (metrics.status_code, metrics.headers["content-type"], metrics.text) == (
        200,
        "text/plain; version=0.0.4",
        "# TYPE up gauge\nup 1\n",
    )
    assert status.json() == {"database": "ok", "release": "v3"}


async def test_router_requests_are_logged_as_app_requests(sandbox_client: httpx.AsyncClient) -> None:
    app = await deployed_app(sandbox_client)
    await sandbox_client.delete("/__sandbox/requests")

    await get_health(sandbox_client, host_of(app))
    log = await ok(sandbox_client.get("/__sandbox/requests"))

    assert [(e["method"], e["path"], e["status"], e["target"]) for e in log] == [("GET", "/health", 200, "app")]


@pytest.mark.slow
def test_the_router_answers_over_loopback(sandbox_url: str) -> None:
    from tests.fixtures.sandbox import SANDBOX_HEADERS

    with httpx.Client(base_url=sandbox_url, headers=SANDBOX_HEADERS) as client:
        app = client.post("/apps", json={"name": "shop-staging"}).json()
        slug = client.post("/apps/shop-staging/slugs", json={"process_types": {"web": "x"}}).json()
        client.post("/apps/shop-staging/releases", json={"slug": slug["id"]})
        response = client.get("/health", headers={"Host": host_of(app)})

    assert (response.status_code, response.json()) == (200, {"status": "ok", "release": "v3"})


async def test_an_app_in_maintenance_is_answered_by_heroku_s_maintenance_page_not_the_app(
    sandbox_client: httpx.AsyncClient,
) -> None:
    app = await deployed_app(sandbox_client)
    await ok(sandbox_client.patch("/apps/shop-staging", json={"maintenance": True}))

    default = await get_health(sandbox_client, host_of(app))
    await ok(sandbox_client.patch("/apps/shop-staging/config-vars", json={"MAINTENANCE_PAGE_URL": "https://x.io/m"}))
    custom = await get_health(sandbox_client, host_of(app))
    await ok(sandbox_client.patch("/apps/shop-staging", json={"maintenance": False}))
    back = await get_health(sandbox_client, host_of(app))

    assert default.status_code == 503
    assert '<iframe src="//www.herokucdn.com/error-pages/maintenance-mode.html">' in default.text
    assert '<iframe src="https://x.io/m">' in custom.text
    assert (back.status_code, back.json()["status"]) == (200, "ok")


async def test_a_profile_set_before_the_app_exists_shapes_its_answers_and_builds_from_creation(
    sandbox_client: httpx.AsyncClient,
) -> None:
    profile = {
        "http": {"body": {"status": "healthy", "release": "{release}"}},
        "builds": {"process_types": {"web": "gunicorn app:app", "release": "alembic upgrade head"}},
    }
    stored = await ok(sandbox_client.put("/__sandbox/profiles/shop-staging", json=profile))
    app = await new_app(sandbox_client, "shop-staging")
    builds = await ok(sandbox_client.get("/__sandbox/apps/shop-staging/builds"))
    await deploy(sandbox_client, "shop-staging")

    answer = await get_health(sandbox_client, host_of(app))

    assert stored["http"]["body"] == {"status": "healthy", "release": "{release}"}
    assert builds["process_types"] == {"web": "gunicorn app:app", "release": "alembic upgrade head"}
    assert answer.json() == {"status": "healthy", "release": "v3"}
    assert (await sandbox_client.get("/__sandbox/profiles/nobody")).status_code == 404
