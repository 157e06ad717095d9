"""Health checks: ask the app itself (not the API) whether it is up, and running the current release.

The request goes to ``https://<host><path>``, where host is the spec's custom domain
(`health.host`) or the app's `web_url` host. With a router override (`--router-url`, env
``HEROKU_STACK_ROUTER_URL``), it goes to that URL instead, carrying the original ``Host``
header, which is how the local sandbox's router tells apps apart.

One probe is one request, judged as pass, changed (wrong status, body, or release) or error
(no answer at all). Retrying within the check's deadline is the convergence loop's job.
When `release_field` is set, the body must report the app's current release ``v<version>``,
so an answer from dynos still running the previous release fails.
Only the values at the paths the spec names are ever shown from a body.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from infra.spec.models import HealthCheck
from infra.urls import is_loopback_url, redact_url
from infra.verify.findings import Outcome

ROUTER_ENV = "HEROKU_STACK_ROUTER_URL"
# Heroku's router answers for the app with a frame around one of its CDN's error pages.
_ROUTER_PAGE = re.compile(rb"herokucdn\.com/error-pages/([a-z-]+)\.html")
_ROUTER_PAGES = {
    b"maintenance-mode": "Heroku's maintenance page: the app is in maintenance mode",
    b"application-error": "Heroku's application error page: the router got no answer from the app; "
    "`heroku logs` names the H code",
}
_MISSING = object()


@dataclass(frozen=True)
class HealthTarget:
    """Where a health check goes: the URL reported, the Host header sent, the URL actually requested."""

    url: str
    host: str
    request_url: str


@dataclass(frozen=True)
class Probe:
    """One health request's verdict."""

    outcome: Outcome  # PASS, CHANGED or ERROR
    summary: str
    actual: str


@dataclass(frozen=True)
class Router:
    """Where health requests go instead of the apps' own hostnames, and why (for the output)."""

    url: str
    why: str

    def describe(self) -> str:
        return f"health checks go through the router at {redact_url(self.url)} ({self.why})"


def choose_router(explicit: str | None = None, *, api_url: str | None = None) -> Router | None:
    """The argument, else ``HEROKU_STACK_ROUTER_URL``, else the API itself when it is on loopback, else None.

    A loopback API is the local sandbox: its apps' hostnames (`api.inventorysync.app`, `*.herokuapp.com`)
    are real hosts on the internet, which a check of the sandbox must never reach. The sandbox's
    router answers for its apps by `Host` header on the API's own port.
    """
    if explicit:
        return Router(explicit.rstrip("/"), "--router-url")
    if os.environ.get(ROUTER_ENV):
        return Router(os.environ[ROUTER_ENV].rstrip("/"), ROUTER_ENV)
    if api_url is not None and is_loopback_url(api_url):
        return Router(api_url.rstrip("/"), "the API is the local sandbox, so its router answers for the apps")
    return None


def router_url(explicit: str | None = None, *, api_url: str | None = None) -> str | None:
    """`choose_router`'s URL, or None to ask the apps directly."""
    chosen = choose_router(explicit, api_url=api_url)
    return chosen.url if chosen else None


def health_target(check: HealthCheck, web_url: str | None, *, router: str | None) -> HealthTarget | None:
    """The target for `check` on an app whose web URL is `web_url`; None when there is no host to ask."""
    host = check.host or (urlsplit(web_url).hostname if web_url else None)
    if not host:
        return None
    url = f"https://{host}{check.path}"
    return HealthTarget(url=url, host=host, request_url=f"{router}{check.path}" if router else url)


def expected_release_text(version: int) -> str:
    return f"v{version}"


async def probe(
    http: httpx.AsyncClient, check: HealthCheck, target: HealthTarget, current_release: int | None
) -> Probe:
    """Send one request and judge the answer against `check` (and the current release, when tied to it)."""
    try:
        response = await http.get(
            target.request_url, headers={"Host": target.host}, timeout=check.timeout_seconds, follow_redirects=False
        )
    except httpx.TimeoutException:
        return Probe(Outcome.ERROR, f"no answer within {check.timeout_seconds:g}s", "(timeout)")
    except httpx.HTTPError as err:
        return Probe(Outcome.ERROR, f"no answer ({type(err).__name__})", "(no answer)")
    return judge(
        check, response.status_code, response.headers.get("content-type", ""), response.content, current_release
    )


def judge(check: HealthCheck, status: int, content_type: str, body: bytes, current_release: int | None) -> Probe:
    """The verdict on one answer (pure)."""
    if status != check.expect_status:
        page = _ROUTER_PAGE.search(body)
        known = _ROUTER_PAGES.get(page.group(1), "a Heroku error page") if page else None
        who = f" ({known})" if known else ""
        return Probe(Outcome.CHANGED, f"answered {status}, expected {check.expect_status}{who}", f"HTTP {status}")
    wanted_type = check.expect_content_type
    if wanted_type is not None and not content_type.lower().startswith(wanted_type.lower()):
        shown = content_type or "no content type"
        return Probe(
            Outcome.CHANGED, f"answered {status} with {shown}, expected {wanted_type}", f"HTTP {status}, {shown}"
        )
    if check.expect_body is not None and re.search(check.expect_body, body.decode("utf-8", "replace")) is None:
        return Probe(
            Outcome.CHANGED, f"answered {status} but the body does not contain /{check.expect_body}/", f"HTTP {status}"
        )
    if not check.expect_json and check.release_field is None:
        return Probe(Outcome.PASS, f"answered {status}", f"HTTP {status}")
    try:
        document = json.loads(body)
    except ValueError:
        kind = content_type.split(";")[0] or "no content type"
        return Probe(Outcome.CHANGED, f"answered {status} but the body is not JSON ({kind})", f"HTTP {status}")
    wrong = [
        f"{path} is {_show(got)}, expected {_show(want)}"
        for path, want in check.expect_json.items()
        if (got := dotted(document, path)) != want
    ]
    actual = f"HTTP {status}"
    if check.release_field is not None:
        reported = dotted(document, check.release_field)
        actual += f", {check.release_field}={_show(reported)}"
        if current_release is None:
            return Probe(Outcome.ERROR, "cannot tie the answer to a release: the app's releases were not read", actual)
        want = expected_release_text(current_release)
        if reported not in (want, current_release):
            label = "is missing" if reported is _MISSING else f"is {_show(reported)}"
            wrong.append(f"{check.release_field} {label}, but the current release is {want} (an old dyno answered?)")
    if wrong:
        return Probe(Outcome.CHANGED, "; ".join(wrong), actual)
    tied = f", release {expected_release_text(current_release)}" if current_release and check.release_field else ""
    return Probe(Outcome.PASS, f"answered {status}{tied}", actual)


def dotted(document: Any, path: str) -> Any:
    """The value at a dotted path (``checks.db.status``; list items by index), or a missing marker."""
    value = document
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(missing)"
    if isinstance(value, (dict, list)):
        return f"(a JSON {'object' if isinstance(value, dict) else 'array'})"
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
