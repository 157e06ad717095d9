"""The emulated Heroku router: requests for an app's hostname are answered by the app, not the API.

A request whose `Host` (port ignored) is an app's `<name>-<hex>.herokuapp.com` hostname or
one of its custom domains is served as that app, on any path:

* deployed (the current release has a slug) and `web` scaled above 0:
  `200 {"status": "ok", "release": "v<current release version>"}`;
* otherwise the Heroku router's application error page, 503 (H14 "No web processes running");
* in maintenance mode (`heroku maintenance:on`), whatever it runs: 503 with Heroku's maintenance
  page (H80 "Maintenance mode"), without asking the app.

Router pages are shaped as Heroku's: a frame around `www.herokucdn.com/error-pages/
application-error.html` or `maintenance-mode.html`, or the app's `ERROR_PAGE_URL` /
`MAINTENANCE_PAGE_URL` config var when set. The H code never appears in the body (Heroku only
logs it), so nothing that reads these pages can depend on it.
* any other host (an unknown `*.herokuapp.com` name, or a domain no app has added): Heroku's
  404 "no such app" page, "There's nothing here, yet.", never an API answer.

The API itself answers on the sandbox's own names: an IP address, `localhost` and
`*.localhost`, or a name without a dot (`testserver`).

`PUT /__sandbox/apps/{app}/http` (an `HttpBehaviour`) changes how a deployed app answers:
`delay_ms` before every answer; `unhealthy` (always `unhealthy_status`, 503 by default);
`unhealthy_releases` (unhealthy only while the current release is one of these: a version
such as 8 or "v8", a release id, or the id of the slug it runs; a broken build that a rollback
or a newer release fixes); `unhealthy_for_requests` / `unhealthy_for_seconds` (unhealthy for
the first N requests or seconds after the PUT, then healthy: a slow start); `body` (this JSON
instead of the default, for a wrong answer); `report_previous_release` (claims the version
before the current one).
"""

from __future__ import annotations

import html
import ipaddress
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Receive, Scope, Send

from infra.sandbox.context import LoggedRequest, Sandbox
from infra.sandbox.platform_rules import current_release
from infra.sandbox.store import Record, Tx

HEROKUAPP = ".herokuapp.com"

# Heroku's router pages are a frame around a page on Heroku's CDN (or the app's own
# ERROR_PAGE_URL / MAINTENANCE_PAGE_URL); the H code is only in the router's log, never the body.
_ROUTER_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body><iframe src="{src}"></iframe></body></html>'
)
_CDN = "//www.herokucdn.com/error-pages/"
_NO_APP_PAGE = (
    "<!DOCTYPE html><html><head><title>No such app</title></head><body>There's nothing here, yet.</body></html>"
)


RELEASE_PLACEHOLDER = "{release}"  # in a body or path answer: the current release, as "v<N>"


class PathAnswer(BaseModel):
    """What a healthy app answers on one path (a stand-in for the app's own code): JSON or text."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    status: int = Field(default=200, ge=100, le=599)
    content_type: str = Field(default="application/json", min_length=1, max_length=200)
    json_body: Any = Field(default=None, alias="json")
    text: str | None = Field(default=None, max_length=100_000)

    def rendered(self, version: int) -> tuple[int, str, bytes]:
        if self.text is not None:
            return self.status, self.content_type, self.text.replace(RELEASE_PLACEHOLDER, f"v{version}").encode()
        return self.status, self.content_type, json.dumps(_with_release(self.json_body, version)).encode()


class HttpBehaviour(BaseModel):
    """How an emulated app answers HTTP (see the module docstring); the default is a healthy app."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    delay_ms: int = Field(default=0, ge=0, le=600_000)
    unhealthy: bool = False
    unhealthy_status: int = Field(default=503, ge=400, le=599)
    unhealthy_releases: tuple[int | str, ...] = ()
    unhealthy_for_requests: int = Field(default=0, ge=0)
    unhealthy_for_seconds: float = Field(default=0.0, ge=0)
    body: dict[str, Any] | None = None
    paths: dict[str, PathAnswer] = Field(default_factory=dict, max_length=50)
    report_previous_release: bool = False


def _with_release(value: Any, version: int) -> Any:
    """`value` with every "{release}" in its strings replaced by the release, as "v<N>"."""
    if isinstance(value, str):
        return value.replace(RELEASE_PLACEHOLDER, f"v{version}")
    if isinstance(value, list):
        return [_with_release(v, version) for v in value]
    if isinstance(value, dict):
        return {k: _with_release(v, version) for k, v in value.items()}
    return value


def _host(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == b"host":
            host = str(value.decode("latin-1")).strip().lower()
            if host.startswith("["):
                return None  # IPv6 literal: the sandbox itself
            return host.rsplit(":", 1)[0] if ":" in host else host
    return None


def _is_sandbox_host(host: str) -> bool:
    if "." not in host or host.endswith(".localhost"):
        return True  # localhost, testserver, sandbox.localhost: loopback names (RFC 6761)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def app_for_host(tx: Tx, host: str) -> Record | None:
    if host.endswith(HEROKUAPP):
        name, _, hex_part = host.removesuffix(HEROKUAPP).rpartition("-")
        app = tx.by_name("app", name)
        return app if app is not None and app["_hex"] == hex_part else None
    domain = tx.by_name("domain", host)
    return None if domain is None else tx.get("app", domain["app"]["id"])


def _router_page(app: Record, code: str) -> bytes:
    """The page Heroku's router serves instead of the app (H80 maintenance, any other H code an error)."""
    if code == "H80":
        title, src = (
            "Offline for Maintenance",
            app["_config"].get("MAINTENANCE_PAGE_URL") or _CDN + "maintenance-mode.html",
        )
    else:
        title, src = "Application Error", app["_config"].get("ERROR_PAGE_URL") or _CDN + "application-error.html"
    return _ROUTER_PAGE.format(title=title, src=html.escape(src, quote=True)).encode()


def _answer(tx: Tx, app: Record, now: datetime, path: str) -> tuple[int, str, bytes, float]:
    """(status, content type, body, delay seconds) for one request to a known app."""
    if app.get("maintenance"):
        # The router answers for the app, which is never asked (Heroku's H80 "Maintenance mode").
        return 503, "text/html; charset=utf-8", _router_page(app, "H80"), 0.0
    release = current_release(tx, app)
    web = tx.by_name("formation", "web", app["id"])
    if release is None or not release["slug"] or web is None or web["quantity"] < 1:
        return 503, "text/html; charset=utf-8", _router_page(app, "H14"), 0.0  # no web processes running
    behaviour = HttpBehaviour.model_validate(app.get("_http", {}))
    served = int(app.get("_http_served", 0))
    app["_http_served"] = served + 1
    tx.put("app", app)
    since = datetime.fromisoformat(app.get("_http_since", tx.stamp).replace("Z", "+00:00"))
    warming = (
        served < behaviour.unhealthy_for_requests or (now - since).total_seconds() < behaviour.unhealthy_for_seconds
    )
    delay = behaviour.delay_ms / 1000
    broken = not _identities(release).isdisjoint(behaviour.unhealthy_releases)
    if behaviour.unhealthy or warming or broken:  # the app did not boot in time: H20
        return behaviour.unhealthy_status, "text/html; charset=utf-8", _router_page(app, "H20"), delay
    version = release["version"] - 1 if behaviour.report_previous_release else release["version"]
    if path in behaviour.paths:
        status, content_type, answer = behaviour.paths[path].rendered(version)
        return status, content_type, answer, delay
    body = _with_release(behaviour.body, version) if behaviour.body is not None else {"status": "ok"}
    body = body if behaviour.body is not None else {**body, "release": f"v{version}"}
    return 200, "application/json", json.dumps(body).encode(), delay


def _identities(release: Record) -> set[int | str]:
    """What `unhealthy_releases` may name a release by: its version (8 or "v8"), its id, its slug's id."""
    slug = release["slug"]["id"] if release["slug"] else None
    return {release["version"], f"v{release['version']}", release["id"], *([slug] if slug else [])}


async def serve(sandbox: Sandbox, scope: Scope, receive: Receive, send: Send) -> bool:
    """Answer the request as an emulated app if its `Host` is one; False leaves it to the API."""
    host = _host(scope)
    if host is None or _is_sandbox_host(host):
        return False
    with sandbox.tx() as tx:
        app = app_for_host(tx, host)
        if app is None:
            answer = (404, "text/html; charset=utf-8", _NO_APP_PAGE.encode(), 0.0)
        else:
            answer = _answer(tx, app, tx.now, scope["path"])
    status, content_type, body, delay = answer
    if delay > 0:
        await sandbox.clock.sleep(delay)
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})
    sandbox.requests.add(LoggedRequest(scope["method"], scope["path"], status, "", "app"))
    return True
