"""Judging one health answer: status, JSON body, and the release that answered."""

from __future__ import annotations

import pytest

from infra.spec.models import HealthCheck
from infra.verify.findings import Outcome
from infra.verify.health import Probe, health_target, judge

CHECK = HealthCheck(expect_json={"status": "ok"}, release_field="release")


def test_a_healthy_answer_from_the_current_release_passes() -> None:
    assert judge(CHECK, 200, "application/json", b'{"status": "ok", "release": "v12"}', 12) == Probe(
        Outcome.PASS, "answered 200, release v12", 'HTTP 200, release="v12"'
    )


def test_a_healthy_answer_from_the_previous_release_fails() -> None:
    assert judge(CHECK, 200, "application/json", b'{"status": "ok", "release": "v11"}', 12) == Probe(
        Outcome.CHANGED,
        'release is "v11", but the current release is v12 (an old dyno answered?)',
        'HTTP 200, release="v11"',
    )


def test_a_wrong_body_names_each_wrong_path() -> None:
    probe = judge(CHECK, 200, "application/json", b'{"status": "degraded"}', 12)

    assert probe == Probe(
        Outcome.CHANGED,
        'status is "degraded", expected "ok"; release is missing, but the current release is v12 (an old dyno '
        "answered?)",
        "HTTP 200, release=(missing)",
    )


def test_heroku_s_router_pages_are_named_as_the_platform_s() -> None:
    def page(name: str) -> bytes:
        return f'<html><body><iframe src="//www.herokucdn.com/error-pages/{name}.html"></iframe></body></html>'.encode()

    error = judge(CHECK, 503, "text/html", page("application-error"), 12)
    maintenance = judge(CHECK, 503, "text/html", page("maintenance-mode"), 12)
    other = judge(CHECK, 503, "text/html", page("no-such-page"), 12)
    the_app_s_own = judge(CHECK, 503, "text/html", b"<html>down for a bit</html>", 12)

    assert error.summary == (
        "answered 503, expected 200 (Heroku's application error page: the router got no answer from the app; "
        "`heroku logs` names the H code)"
    )
    assert (
        maintenance.summary == "answered 503, expected 200 (Heroku's maintenance page: the app is in maintenance mode)"
    )
    assert other.summary == "answered 503, expected 200 (a Heroku error page)"
    assert the_app_s_own.summary == "answered 503, expected 200"


def test_a_body_that_is_not_json_fails_when_json_is_expected() -> None:
    assert judge(CHECK, 200, "text/plain; charset=utf-8", b"OK", 12) == Probe(
        Outcome.CHANGED, "answered 200 but the body is not JSON (text/plain)", "HTTP 200"
    )


@pytest.mark.parametrize(
    ("host", "router", "expected"),
    [
        (
            None,
            None,
            (
                "https://shop-1a2b.herokuapp.com/health",
                "shop-1a2b.herokuapp.com",
                "https://shop-1a2b.herokuapp.com/health",
            ),
        ),
        (
            "www.shop.com",
            "http://127.0.0.1:5555",
            ("https://www.shop.com/health", "www.shop.com", "http://127.0.0.1:5555/health"),
        ),
    ],
)
def test_the_target_is_the_app_or_its_domain_and_the_router_keeps_the_host(
    host: str | None, router: str | None, expected: tuple[str, str, str]
) -> None:
    check = HealthCheck(host=host)

    target = health_target(check, "https://shop-1a2b.herokuapp.com/", router=router)

    assert target is not None
    assert (target.url, target.host, target.request_url) == expected
