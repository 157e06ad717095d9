"""The one explicit Heroku provider every resource of a stack uses.

Explicit rather than Pulumi's default provider so that where and as whom `pulumi up`
talks is decided here, from config, and visible in the offline plan:

* API key: the secret `heroku:apiKey`, else `HEROKU_API_KEY` (wrapped as a secret, since
  provider inputs are written to the state), else unset, so the plugin falls back on its
  own lookups (`HEROKU_API_KEY`, then netrc for the URL's host).
* URL: `heroku:url`, else `HEROKU_API_URL`; no trailing slash, because the provider's
  client builds every request as the plain string ``url + path`` (research §1).
* Delays: the provider sleeps 10 s after creating an app and 5 s after a domain, for
  Heroku's eventual consistency. Against a loopback URL (the local sandbox) they are 0.
* `customizations`: by default the provider copies every config var of the app
  (`allConfigVars`) and every add-on's credentials (`configVarValues`) into the state.
  Both are turned off, so add-on URLs with passwords never reach the state file.

An explicit provider ignores the other `heroku:*` keys (`email`, `headers`, `timeouts`).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import pulumi
import pulumiverse_heroku as heroku

from infra.errors import SpecError, SpecIssue

PROVIDER_NAME = "heroku"
DEFAULT_API_URL = "https://api.heroku.com"


@dataclass(frozen=True)
class ProviderSettings:
    """Where and as whom the provider talks to Heroku; the API key is never shown (and always a secret in state)."""

    api_key: pulumi.Input[str] | None = None
    url: str | None = None

    def __repr__(self) -> str:
        key = "unset" if self.api_key is None else "[secret]"
        return f"ProviderSettings(api_key={key}, url={self.url!r})"

    @property
    def targets_loopback(self) -> bool:
        """True when `url` points at this machine (the local sandbox), where waiting buys nothing."""
        return self.url is not None and is_loopback_url(self.url)


def normalise_url(url: str, *, source: str = "heroku:url") -> str:
    """`url` without surrounding blanks or trailing slash; SpecError unless it is a plain http(s) URL."""
    cleaned = url.strip().rstrip("/")

    def refuse(message: str) -> SpecError:
        return SpecError(source, None, [SpecIssue("", message)])

    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
    except ValueError:
        raise refuse("must be an http(s) URL such as http://127.0.0.1:5555") from None
    # Checked before anything echoes the URL back: these parts may carry credentials.
    if parts.username or parts.password:
        raise refuse("must not embed credentials; use heroku:apiKey")
    if parts.query or parts.fragment:
        raise refuse("must not have a query string or fragment")
    if parts.scheme not in ("http", "https") or not host:
        raise refuse(f"must be an http(s) URL such as http://127.0.0.1:5555 (got {url!r})")
    return cleaned


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings_from_engine(environ: Mapping[str, str] | None = None) -> ProviderSettings:
    """Provider settings from the running stack's `heroku:*` config, then the environment."""
    env = os.environ if environ is None else environ
    config = pulumi.Config("heroku")
    api_key: pulumi.Input[str] | None = config.get_secret("apiKey")
    if api_key is None and env.get("HEROKU_API_KEY"):
        api_key = env["HEROKU_API_KEY"]
    url = config.get("url")
    source = "heroku:url"
    if not url and env.get("HEROKU_API_URL"):
        url, source = env["HEROKU_API_URL"], "HEROKU_API_URL"
    return ProviderSettings(api_key=api_key, url=normalise_url(url, source=source) if url else None)


def heroku_provider(settings: ProviderSettings, *, name: str = PROVIDER_NAME) -> heroku.Provider:
    """The provider resource for `settings`; credentials out of state, no delays against loopback."""
    delays = (
        heroku.ProviderDelaysArgs(post_app_create_delay=0, post_domain_create_delay=0, post_space_create_delay=0)
        if settings.targets_loopback
        else None
    )
    # Provider inputs are written to the state: the key is always a secret there, wherever it came from.
    return heroku.Provider(
        name,
        api_key=None if settings.api_key is None else pulumi.Output.secret(settings.api_key),
        url=settings.url,
        delays=delays,
        customizations=[
            heroku.ProviderCustomizationArgs(
                set_app_all_config_vars_in_state=False,
                set_addon_config_vars_in_state=False,
            )
        ],
    )
