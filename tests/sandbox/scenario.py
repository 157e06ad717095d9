"""Recorders of exchanges, and one scenario that calls every Platform API route the sandbox serves.

The conformance tests replay the scenario once and check every exchange against Heroku's
schema; a test also checks that the scenario reached every route with a success. The Heroku CLI
conformance module records what the real CLI exchanged (`RecordingApp`, around the served app)
and checks it the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.sandbox import SandboxTransport

HTTP = {"Range": "version ..; max=1000"}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    request_body: Any
    status: int
    response_body: Any


class RecordingTransport(SandboxTransport):
    """The in-process transport, keeping every request and answer (JSON decoded) in `exchanges`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        raw = await response.aread()
        sent = request.content
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=request.url.path,
                request_body=json.loads(sent) if sent else None,
                status=response.status_code,
                response_body=json.loads(raw) if raw and "json" in response.headers.get("content-type", "") else None,
            )
        )
        return httpx.Response(response.status_code, headers=response.headers, content=raw, request=request)


def _decoded(raw: bytes, content_type: str = "json") -> Any:
    try:
        return json.loads(raw) if raw and "json" in content_type else None
    except ValueError:
        return None


class RecordingApp:
    """ASGI middleware keeping every HTTP exchange with the wrapped app (JSON decoded) in `exchanges`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent, answered = bytearray(), bytearray()
        start: dict[str, Any] = {}

        async def recording_receive() -> Message:
            message = await receive()
            sent.extend(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                answered.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            headers = dict(start.get("headers", []))
            content_type = headers.get(b"content-type", b"").decode()
            self.exchanges.append(
                Exchange(
                    scope["method"],
                    scope["path"],
                    _decoded(bytes(sent)),
                    start.get("status", 0),
                    _decoded(bytes(answered), content_type),
                )
            )


async def _json(response: Any) -> Any:
    answered: httpx.Response = await response
    assert answered.is_success, f"{answered.request.method} {answered.request.url.path}: {answered.text}"
    return answered.json()


async def exercise_every_route(c: httpx.AsyncClient) -> None:
    """Stand up, change, promote, roll back and tear down a two-app pipeline, through every route."""
    me = await _json(c.get("/account"))
    await _json(c.get("/account/rate-limits"))
    await _json(c.get("/users/~"))
    await _json(c.get(f"/users/{me['email']}"))
    features = await _json(c.get("/account/features"))
    await _json(c.get(f"/account/features/{features[0]['id']}"))
    await _json(c.patch(f"/account/features/{features[0]['name']}", json={"enabled": True}))
    regions = await _json(c.get("/regions"))
    await _json(c.get(f"/regions/{regions[0]['name']}"))
    await _json(c.get("/stacks"))
    await _json(c.get("/stacks/heroku-24"))
    staging = await _json(c.post("/apps", json={"name": "shop-staging", "region": "us", "stack": "heroku-24"}))
    prod = await _json(c.post("/apps", json={"name": "shop-prod", "region": "us"}))
    sid, pid = staging["id"], prod["id"]
    await _json(c.get("/apps"))
    await _json(c.get("/users/~/apps"))
    await _json(c.post("/filters/apps", json={"in": {"id": [sid, pid]}}))
    await _json(c.post(f"/apps/{sid}/collaborators", json={"user": "bob@example.com"}))
    await _json(c.get(f"/apps/{sid}/collaborators"))
    await _json(c.get(f"/apps/{sid}/collaborators/bob@example.com"))
    await _json(c.delete(f"/apps/{sid}/collaborators/bob@example.com"))
    await _json(c.patch(f"/apps/{sid}", json={}))
    await _json(c.patch(f"/apps/{sid}", json={"build_stack": "heroku-24", "maintenance": False}))
    await _json(c.patch(f"/apps/{sid}/config-vars", json={"APP_ENV": "staging", "LOG_LEVEL": "DEBUG"}))
    await _json(c.patch(f"/apps/{pid}/config-vars", json={"APP_ENV": "production"}))
    await _json(c.get(f"/apps/{sid}/config-vars"))
    await _json(c.put(f"/apps/{sid}/buildpack-installations", json={"updates": [{"buildpack": "heroku/python"}]}))
    await _json(c.get(f"/apps/{sid}/buildpack-installations"))
    await _json(c.post(f"/apps/{pid}/acm"))
    await _json(c.patch(f"/apps/{pid}/acm"))

    # Add-ons and attachments.
    redis = await _json(
        c.post(f"/apps/{sid}/addons", json={"plan": {"name": "heroku-redis:mini"}, "confirm": "shop-staging"})
    )
    trail = await _json(c.post(f"/apps/{sid}/addons", json={"plan": "papertrail:choklad", "name": "shop-trail"}))
    await _json(c.post(f"/apps/{pid}/addons", json={"plan": "heroku-postgresql", "attachment": {"name": "DATABASE"}}))
    await _json(c.get("/addons"))
    await _json(c.get(f"/addons/{redis['id']}"))
    await _json(c.get(f"/apps/{sid}/addons"))
    await _json(c.get(f"/apps/{sid}/addons/{redis['name']}"))
    await _json(c.patch(f"/apps/{sid}/addons/{redis['id']}", json={"plan": "", "name": "shop-redis"}))
    await _json(c.patch(f"/apps/{sid}/addons/shop-redis", json={"name": "shop-cache"}))
    await _json(c.patch(f"/apps/{sid}/addons/shop-cache", json={"name": "shop-redis"}))
    await _json(c.patch(f"/apps/{sid}/addons/shop-redis", json={"plan": "heroku-redis:premium-0"}))
    services = await _json(c.get("/addon-services"))
    await _json(c.get(f"/addon-services/{services[0]['id']}"))
    plans = await _json(c.get("/addon-services/heroku-redis/plans"))
    await _json(c.get(f"/addon-services/heroku-redis/plans/{plans[0]['name']}"))
    await _json(c.get(f"/plans/{plans[-1]['id']}"))
    attachment = await _json(c.post("/addon-attachments", json={"addon": redis["id"], "app": pid, "name": "CACHE"}))
    await _json(c.get("/addon-attachments"))
    await _json(c.get(f"/addon-attachments/{attachment['id']}"))
    await _json(c.get(f"/addons/{redis['id']}/addon-attachments"))
    await _json(c.get(f"/apps/{pid}/addon-attachments"))
    await _json(c.get(f"/apps/{pid}/addon-attachments/CACHE"))
    await _json(c.post("/actions/addons/resolve", json={"addon": "shop-redis", "app": None}))
    await _json(c.post("/actions/addon-attachments/resolve", json={"addon_attachment": "CACHE", "app": "shop-prod"}))
    await _json(c.delete(f"/addon-attachments/{attachment['id']}"))
    await _json(c.get(f"/addons/{trail['id']}/log-drains"))

    # Code: a slug released by hand, then a build.
    slug = await _json(
        c.post(
            f"/apps/{sid}/slugs",
            json={
                "process_types": {"web": "gunicorn app:app", "worker": "celery worker"},
                "checksum": "SHA256:" + "0" * 64,
                "commit": "0123456789abcdef",
                "commit_description": "first",
                "stack": "heroku-24",
                "buildpack_provided_description": "Python",
            },
        )
    )
    await _json(c.get(f"/apps/{sid}/slugs/{slug['id']}"))
    first = await _json(c.post(f"/apps/{sid}/releases", json={"slug": slug["id"], "description": "first deploy"}))
    build = await _json(
        c.post(
            f"/apps/{sid}/builds",
            json={
                "buildpacks": [{"url": "heroku/python"}],
                "source_blob": {"url": "https://example.com/v1.tar.gz", "version": "v1.0.0"},
            },
        )
    )
    await _json(c.get(f"/apps/{sid}/builds"))
    await _json(c.get(f"/apps/{sid}/builds/{build['id']}"))
    await _json(c.get(f"/apps/{sid}/releases", headers=HTTP))
    await _json(c.get(f"/apps/{sid}/releases/{first['version']}"))
    await _json(c.get(f"/apps/{sid}/releases/{first['id']}/config-vars"))

    # Formation, domains, drains, features.
    await _json(c.get(f"/apps/{sid}/formation"))
    dynos = await _json(c.get(f"/apps/{sid}/dynos"))
    await _json(c.get(f"/apps/{sid}/dynos/{dynos[0]['name']}"))
    await _json(c.delete(f"/apps/{sid}/dynos/{dynos[0]['name']}"))
    await _json(c.post(f"/apps/{sid}/dynos/{dynos[0]['id']}/actions/stop"))
    await _json(c.delete(f"/apps/{sid}/formations/web"))
    await _json(c.post(f"/apps/{sid}/formations/web/actions/stop"))
    await _json(c.delete(f"/apps/{sid}/dynos"))
    await _json(c.get(f"/apps/{pid}/sni-endpoints"))
    web = await _json(c.patch(f"/apps/{sid}/formation/web", json={"quantity": 1, "size": "basic"}))
    await _json(c.get(f"/apps/{sid}/formation/{web['id']}"))
    await _json(c.patch(f"/apps/{sid}/formation", json={"updates": [{"type": "worker", "quantity": 1}]}))
    domain = await _json(c.post(f"/apps/{pid}/domains", json={"hostname": "www.example.com", "sni_endpoint": None}))
    await _json(c.get(f"/apps/{pid}/domains"))
    await _json(c.get(f"/apps/{pid}/domains/{domain['id']}"))
    await _json(c.patch(f"/apps/{pid}/domains/www.example.com", json={"sni_endpoint": None}))
    drain = await _json(c.post(f"/apps/{sid}/log-drains", json={"url": "syslog+tls://logs.example.com:6514"}))
    await _json(c.get(f"/apps/{sid}/log-drains"))
    await _json(c.get(f"/apps/{sid}/log-drains/{drain['token']}"))
    await _json(c.delete(f"/apps/{sid}/log-drains/{drain['id']}"))
    await _json(c.get(f"/apps/{pid}/features"))
    feature = await _json(c.patch(f"/apps/{pid}/features/runtime-dyno-metadata", json={"enabled": True}))
    await _json(c.get(f"/apps/{pid}/features/{feature['id']}"))

    # Pipeline, promotion, rollback.
    pipeline = await _json(c.post("/pipelines", json={"name": "shop", "owner": {"id": me["id"], "type": "user"}}))
    await _json(c.get("/pipelines"))
    await _json(c.get(f"/pipelines/{pipeline['id']}"))
    await _json(c.patch(f"/pipelines/{pipeline['id']}", json={"name": "shop-pipeline"}))
    coupling = await _json(
        c.post("/pipeline-couplings", json={"app": sid, "pipeline": pipeline["id"], "stage": "test"})
    )
    await _json(c.patch(f"/pipeline-couplings/{coupling['id']}", json={"stage": "staging"}))
    await _json(
        c.post("/pipeline-couplings", json={"app": "shop-prod", "pipeline": pipeline["id"], "stage": "production"})
    )
    await _json(c.get("/pipeline-couplings"))
    await _json(c.get("/pipelines/shop-pipeline"))  # by name: only once an app is coupled
    await _json(c.get(f"/pipeline-couplings/{coupling['id']}"))
    await _json(c.get(f"/pipelines/{pipeline['id']}/pipeline-couplings"))
    await _json(c.get(f"/apps/{pid}/pipeline-couplings"))
    promotion = await _json(
        c.post(
            "/pipeline-promotions",
            json={
                "pipeline": {"id": pipeline["id"]},
                "source": {"app": {"id": sid}, "release": {"id": first["id"]}},
                "targets": [{"app": {"id": pid}}],
            },
        )
    )
    await _json(c.get(f"/pipeline-promotions/{promotion['id']}"))
    await _json(c.get(f"/pipeline-promotions/{promotion['id']}/promotion-targets"))
    await _json(c.post(f"/apps/{sid}/releases", json={"release": first["id"]}))

    # A Heroku Team: members, a team app and its collaborators with permissions.
    team = await _json(c.post("/teams", json={"name": "acme"}))
    await _json(c.get("/teams"))
    await _json(c.get(f"/teams/{team['id']}"))
    await _json(c.get("/teams/permissions"))
    await _json(c.get("/teams/acme/features"))
    await _json(c.get("/teams/acme/features/org-access-controls"))
    await _json(c.put("/teams/acme/members", json={"email": "dev@acme.example", "role": "member"}))
    await _json(c.post("/teams/acme/members", json={"email": "ops@acme.example", "role": "member"}))
    await _json(c.patch("/teams/acme/members", json={"email": "ops@acme.example", "role": "admin"}))
    await _json(c.get("/teams/acme/members"))
    team_app = await _json(c.post("/teams/apps", json={"team": "acme", "name": "acme-api", "locked": False}))
    await _json(c.get(f"/teams/apps/{team_app['id']}"))
    await _json(c.patch("/teams/apps/acme-api", json={"locked": True}))
    await _json(c.get("/teams/acme/apps"))
    grant = {"user": "dev@acme.example", "permissions": ["view", "deploy"], "silent": True}
    await _json(c.post("/teams/apps/acme-api/collaborators", json=grant))
    await _json(c.get("/teams/apps/acme-api/collaborators"))
    await _json(c.get("/teams/apps/acme-api/collaborators/dev@acme.example"))
    await _json(c.patch("/teams/apps/acme-api/collaborators/dev@acme.example", json={"permissions": ["view"]}))
    await _json(c.get("/apps/acme-api/collaborators/dev@acme.example"))
    await _json(c.delete("/teams/apps/acme-api/collaborators/dev@acme.example"))
    await _json(c.delete("/teams/acme/members/ops@acme.example"))
    await _json(c.delete("/apps/acme-api"))

    # Teardown.
    await _json(c.delete(f"/apps/{pid}/domains/{domain['id']}"))
    await _json(c.delete(f"/apps/{pid}/acm"))
    await _json(c.delete(f"/apps/{sid}/addons/{trail['id']}"))
    await _json(c.delete(f"/pipeline-couplings/{coupling['id']}"))
    await _json(c.delete(f"/pipelines/{pipeline['id']}"))
    await _json(c.get(f"/apps/{sid}"))
    await _json(c.delete(f"/apps/{sid}"))
    await _json(c.delete(f"/apps/{pid}"))
