"""The release phase: a slug with a `release` process keeps its release pending (and its process types absent)
until the release command has run, and a failing command fails the release without making it current."""

from __future__ import annotations

import httpx
import pytest

from infra.clock import FakeClock
from tests.sandbox.helpers import NEWEST, deploy, new_app, ok

pytestmark = pytest.mark.anyio

WITH_MIGRATIONS = {"web": "uvicorn app:app", "release": "alembic upgrade head"}


async def _release_phase(client: httpx.AsyncClient, *, seconds: float, outcome: str = "succeeded") -> None:
    await ok(
        client.put(
            "/__sandbox/builds",
            json={
                "process_types": WITH_MIGRATIONS,
                "release_phase_seconds": seconds,
                "release_phase_outcome": outcome,
            },
        )
    )


async def _build(client: httpx.AsyncClient, app: str) -> dict[str, object]:
    build = await ok(
        client.post(f"/apps/{app}/builds", json={"source_blob": {"url": "https://example.com/a.tgz", "version": "v2"}}),
        201,
    )
    done: dict[str, object] = await ok(client.get(f"/apps/{app}/builds/{build['id']}"))
    return done


async def test_a_build_whose_slug_declares_release_is_pending_while_the_release_phase_runs(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "inv-api-staging")
    await _release_phase(sandbox_client, seconds=30)

    build = await _build(sandbox_client, "inv-api-staging")
    release = await ok(sandbox_client.get(f"/apps/inv-api-staging/releases/{build['release']['id']}"))  # type: ignore[index]
    scale = await sandbox_client.patch("/apps/inv-api-staging/formation/web", json={"quantity": 1, "size": "basic"})

    assert build["status"] == "succeeded"
    assert (release["status"], release["current"]) == ("pending", False)
    assert release["output_stream_url"] == f"http://sandbox.localhost/__sandbox/releases/{release['id']}/output"
    assert (scale.status_code, scale.json()["message"]) == (404, "Couldn't find that process type (web).")


async def test_once_the_release_phase_succeeds_the_release_is_current_and_its_process_types_scale(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "inv-api-staging")
    await _release_phase(sandbox_client, seconds=30)
    build = await _build(sandbox_client, "inv-api-staging")

    sandbox_clock.advance(30)
    release = await ok(sandbox_client.get(f"/apps/inv-api-staging/releases/{build['release']['id']}"))  # type: ignore[index]
    scaled = await ok(
        sandbox_client.patch("/apps/inv-api-staging/formation/web", json={"quantity": 2, "size": "standard-1x"})
    )
    output = await sandbox_client.get(release["output_stream_url"].removeprefix("http://sandbox.localhost"))

    assert (release["status"], release["current"]) == ("succeeded", True)
    assert (scaled["type"], scaled["quantity"]) == ("web", 2)
    assert output.text.endswith("Release command exited successfully\n")


async def test_a_failing_release_phase_fails_the_release_and_leaves_the_previous_one_current(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "inv-api-staging")
    first = await deploy(sandbox_client, "inv-api-staging")
    await ok(
        sandbox_client.put(
            "/__sandbox/apps/inv-api-staging/builds",
            json={"process_types": WITH_MIGRATIONS, "release_phase_seconds": 5, "release_phase_outcome": "failed"},
        )
    )

    build = await _build(sandbox_client, "inv-api-staging")
    sandbox_clock.advance(5)
    failed = await ok(sandbox_client.get(f"/apps/inv-api-staging/releases/{build['release']['id']}"))  # type: ignore[index]
    formation = await ok(sandbox_client.get("/apps/inv-api-staging/formation"))
    output = await sandbox_client.get(failed["output_stream_url"].removeprefix("http://sandbox.localhost"))

    assert (failed["status"], failed["current"]) == ("failed", False)
    previous = await ok(sandbox_client.get(f"/apps/inv-api-staging/releases/{first['id']}"))
    assert previous["current"] is True
    assert [f["type"] for f in formation] == ["web"]
    assert "Release command failed" in output.text


async def test_a_config_change_runs_the_release_phase_again(
    sandbox_client: httpx.AsyncClient, sandbox_clock: FakeClock
) -> None:
    await new_app(sandbox_client, "inv-api-staging")
    await _release_phase(sandbox_client, seconds=10)
    await _build(sandbox_client, "inv-api-staging")
    sandbox_clock.advance(10)

    await ok(sandbox_client.patch("/apps/inv-api-staging/config-vars", json={"LOG_LEVEL": "INFO"}))
    pending = (await ok(sandbox_client.get("/apps/inv-api-staging/releases", headers=NEWEST), 206))[0]
    sandbox_clock.advance(10)
    done = await ok(sandbox_client.get(f"/apps/inv-api-staging/releases/{pending['id']}"))

    assert (pending["description"], pending["status"]) == ("Set LOG_LEVEL config vars", "pending")
    assert (done["status"], done["current"]) == ("succeeded", True)


async def test_a_release_phase_duration_that_is_not_a_finite_number_is_refused(
    sandbox_client: httpx.AsyncClient,
) -> None:
    refused = await sandbox_client.put(
        "/__sandbox/builds",
        content=b'{"release_phase_seconds": Infinity}',
        headers={"Content-Type": "application/json"},
    )

    assert refused.status_code in (400, 422)
    assert (await ok(sandbox_client.get("/__sandbox/builds")))["release_phase_seconds"] == 0
