"""Fidelity to Heroku's official schema: routes, response bodies and accepted request bodies.

Sources: `../shared/heroku/platform-api-schema.json` (heroku/platform-api `schema.json`).
The scenario in `scenario.py` calls every route; each success is checked against its link.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from infra.sandbox import SandboxConfig, create_app
from infra.sandbox.app import heroku_routes
from tests.fixtures.sandbox import SANDBOX_BASE_URL, SANDBOX_HEADERS
from tests.sandbox.scenario import Exchange, RecordingTransport, exercise_every_route
from tests.sandbox.schema import errors, lenient, link_for, links, unexplained


def route_templates() -> set[tuple[str, str]]:
    found = set()
    for route in heroku_routes():
        assert isinstance(route, Route)
        template = route.path_format.replace("{", "\x00").replace("}", "\x01")
        while "\x00" in template:
            start = template.index("\x00")
            template = template[:start] + "{}" + template[template.index("\x01") + 1 :]
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, template))
    return found


@pytest.fixture(scope="module")
def exchanges() -> list[Exchange]:
    transport = RecordingTransport(create_app(SandboxConfig(seed=7)))

    async def run() -> None:
        async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_BASE_URL, headers=SANDBOX_HEADERS) as c:
            await exercise_every_route(c)

    asyncio.run(run())
    return transport.exchanges


def test_every_route_the_sandbox_serves_is_a_link_in_herokus_schema() -> None:
    schema_links = {(link.method, link.template) for link in links()}

    assert sorted(route_templates() - schema_links) == []


def test_the_scenario_reaches_every_route_with_a_success(exchanges: list[Exchange]) -> None:
    reached = set()
    for exchange in exchanges:
        link = link_for(exchange.method, exchange.path, exchange.request_body)
        if link is not None and 200 <= exchange.status < 300:
            reached.add((link.method, link.template))

    assert sorted(route_templates() - reached) == []


def test_every_success_answer_validates_against_its_links_target_schema(exchanges: list[Exchange]) -> None:
    problems = []
    for exchange in exchanges:
        link = link_for(exchange.method, exchange.path, exchange.request_body)
        if link is None or link.target is None or not 200 <= exchange.status < 300:
            continue
        for problem in errors(link.target, exchange.response_body):
            problems.append(f"{exchange.method} {exchange.path} ({link.resource} {link.title}): {problem}")

    assert problems == []


def test_the_schema_oracle_rejects_a_body_heroku_would_not_send() -> None:
    link = link_for("GET", "/apps/shop")

    assert link is not None
    assert errors(link.target or {}, {"id": "nope", "acm": "yes", "created_at": "2020-01-01 10:00"}) == [
        "acm: 'yes' is not of type 'boolean'",
        "created_at: '2020-01-01 10:00' is not a 'date-time'",
        "id: 'nope' is not a 'uuid'",
    ]


def test_every_accepted_request_body_validates_against_its_links_schema(exchanges: list[Exchange]) -> None:
    problems = []
    for exchange in exchanges:
        link = link_for(exchange.method, exchange.path, exchange.request_body)
        if link is None or link.request is None or not 200 <= exchange.status < 300:
            continue
        found = errors(lenient(link.request), exchange.request_body or {})
        for problem in unexplained(exchange.method, link.href, found):
            problems.append(f"{exchange.method} {exchange.path}: {problem}")

    assert problems == []


def test_every_error_answer_is_an_id_and_a_message(exchanges: list[Exchange]) -> None:
    shape = {
        "type": "object",
        "required": ["id", "message"],
        "properties": {"id": {"type": "string"}, "message": {"type": "string"}, "resource": {"type": "string"}},
        "additionalProperties": False,
    }
    failures = [e for e in exchanges if e.status >= 400]

    assert [(e.path, errors(shape, e.response_body)) for e in failures if errors(shape, e.response_body)] == []


# --- accepted bodies, for any body --------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "web", "basic", "heroku/python", "x" * 40]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "name", "url"]), inner, max_size=2)
    ),
    max_leaves=6,
)

# (method, path on a fresh sandbox with app `shop` deployed, the fields worth varying)
FUZZED = [
    ("POST", "/apps", ["name", "region", "stack", "feature_flags"]),
    ("PATCH", "/apps/shop", ["name", "build_stack", "maintenance"]),
    ("POST", "/apps/shop/addons", ["plan", "name", "confirm", "config", "attachment"]),
    ("PATCH", "/apps/shop/formation/web", ["quantity", "size", "dyno_size"]),
    ("PATCH", "/apps/shop/formation", ["updates"]),
    ("POST", "/apps/shop/domains", ["hostname", "sni_endpoint"]),
    ("POST", "/apps/shop/log-drains", ["url"]),
    ("PUT", "/apps/shop/buildpack-installations", ["updates"]),
    ("PATCH", "/apps/shop/features/preboot", ["enabled"]),
    ("POST", "/apps/shop/slugs", ["process_types", "commit", "stack"]),
    ("POST", "/pipelines", ["name", "owner"]),
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    case=st.sampled_from(FUZZED),
    body=st.dictionaries(st.sampled_from(["name", "plan", "updates"]), JSON_VALUES, max_size=1),
    extra=st.data(),
)
def test_any_body_is_answered_without_a_crash_and_only_schema_valid_bodies_are_accepted(
    case: tuple[str, str, list[str]], body: dict[str, Any], extra: st.DataObject
) -> None:
    method, path, fields = case
    body = dict(body)
    for field in extra.draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
        body[field] = extra.draw(JSON_VALUES)

    async def run() -> httpx.Response:
        app = create_app(SandboxConfig(seed=1))
        transport = RecordingTransport(app)
        async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_BASE_URL, headers=SANDBOX_HEADERS) as c:
            await c.post("/apps", json={"name": "shop"})
            slug = (await c.post("/apps/shop/slugs", json={"process_types": {"web": "x"}})).json()
            await c.post("/apps/shop/releases", json={"slug": slug["id"]})
            return await c.request(method, path, json=body)

    response = asyncio.run(run())
    link = link_for(method, path, body)

    assert link is not None
    assert response.status_code in (200, 201, 400, 404, 422), response.text
    if response.is_success and link.request is not None:
        assert unexplained(method, link.href, errors(lenient(link.request), body)) == []
