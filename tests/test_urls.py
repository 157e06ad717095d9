"""URLs: the local sandbox is recognised, and credentials never survive being shown."""

from __future__ import annotations

import pytest

from infra.urls import is_loopback_url, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:tok3n@logs.example.com/in", "https://***@logs.example.com/in"),
        ("ftp://u:PW@host:21/x", "ftp://***@host:21/x"),
        ("http://u:PW@127.0.0.1:5050", "http://***@127.0.0.1:5050"),
        ("https://hooks.example.com/x?token=abc&team=ops", "https://hooks.example.com/x?token=***&team=ops"),
        ("https://s3.example.com/f?X-Amz-Signature=abc", "https://s3.example.com/f?X-Amz-Signature=***"),
        ("https://github.com/acme/buildpack", "https://github.com/acme/buildpack"),
        ("http://u:pw@host:99999/x", "http://***@host:99999/x"),
        ("not a url with a://u:pw@host", "not a url with a://***@host"),
    ],
)
def test_credentials_in_a_url_are_replaced_and_everything_else_is_kept(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "PW" not in redact_url(url)
    assert "tok3n" not in redact_url(url)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:5050", True),
        ("http://localhost:5050", True),
        ("http://sandbox.localhost", True),
        ("http://[::1]:5050", True),
        ("https://api.heroku.com", False),
        ("http://10.0.0.1", False),
        ("http://[::1", False),
    ],
)
def test_a_loopback_url_is_the_local_sandbox(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback
