"""Small steps many sandbox tests share: create an app, deploy a slug, read JSON, all through HTTP."""

from __future__ import annotations

from typing import Any

import httpx

NEWEST = {"Range": "version ..; max=1,order=desc"}
ALL_RELEASES = {"Range": "version ..; max=1000"}


async def ok(response_or_coroutine: Any, status: int = 200) -> Any:
    """The JSON body of a response that must have `status` (the body is shown when it has not)."""
    response: httpx.Response = await response_or_coroutine
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


async def new_app(client: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = await ok(client.post("/apps", json={"name": name, **fields}), 201)
    return body


async def deploy(
    client: httpx.AsyncClient, app: str, process_types: dict[str, str] | None = None, commit: str = "abc1234"
) -> dict[str, Any]:
    """Create a slug declaring `process_types` (default web) and release it; returns the release."""
    slug = await ok(
        client.post(
            f"/apps/{app}/slugs", json={"process_types": process_types or {"web": "gunicorn app:app"}, "commit": commit}
        ),
        201,
    )
    release: dict[str, Any] = await ok(client.post(f"/apps/{app}/releases", json={"slug": slug["id"]}), 201)
    return release


async def descriptions(client: httpx.AsyncClient, app: str) -> list[str]:
    releases = await ok(client.get(f"/apps/{app}/releases", headers=ALL_RELEASES))
    return [r["description"] for r in releases]
