"""The one explicit Heroku provider every resource of a stack uses.

Explicit rather than Pulumi's default provider so that where and as whom `pulumi up`
talks is decided here, from config, and visible in the offline plan:

* API key: only the secret `heroku:apiKey`. Provider inputs are stored in the state, and
  `pulumi destroy`/`refresh` use the stored ones: a key copied from `HEROKU_API_KEY` would
  outlive its rotation there. Left unset, the plugin reads `HEROKU_API_KEY` itself at every
  run, then netrc for the URL's host (terraform-provider-heroku `provider.go`, `config.go`).
* URL: only `heroku:url` (no trailing slash: the provider's client builds every request as
  the plain string ``url + path``, research §1); unset, the plugin reads `HEROKU_API_URL`.
* Delays: the provider sleeps 10 s after creating an app and 5 s after a domain, for
  Heroku's eventual consistency. Against a loopback URL (`heroku:url`, else
  `HEROKU_API_URL`: the local sandbox) they are 0.
* Timeouts: the provider waits `addon_create_timeout` minutes (default 20) for an add-on to be
  provisioned and only then records it; a database still provisioning at the deadline exists on
  Heroku but not in the state, and the next `up` collides on its name. A stack with data
  add-ons waits longer (`StackSpec.addon_create_timeout_minutes`).
* `customizations`: by default the provider copies every config var of the app
  (`allConfigVars`) and every add-on's credentials (`configVarValues`) into the state.
  Both are turned off, so add-on URLs with passwords never reach the state file.

An explicit provider ignores the other `heroku:*` keys (`email`, `headers`, `timeouts`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import pulumi
import pulumiverse_heroku as heroku

from infra.errors import SpecError, SpecIssue
from infra.urls import is_loopback_url, redact_url

PROVIDER_NAME = "heroku"
DEFAULT_API_URL = "https://api.heroku.com"


@dataclass(frozen=True)
class ProviderSettings:
    """Where and as whom the provider talks to Heroku; the API key is never shown (and always a secret in state)."""

    api_key: pulumi.Input[str] | None = None
    url: str | None = None
    # Where the plugin will talk when `url` is unset (HEROKU_API_URL): decides the delays only.
    environment_url: str | None = None

    def __repr__(self) -> str:
        key = "unset" if self.api_key is None else "[secret]"
        return f"ProviderSettings(api_key={key}, url={self.url!r}, environment_url={self.environment_url!r})"

    @property
    def targets_loopback(self) -> bool:
        """True when the provider will talk to this machine (the local sandbox), where waiting buys nothing."""
        target = self.url or self.environment_url
        return target is not None and is_loopback_url(target)


def normalise_url(url: str, *, source: str = "heroku:url") -> str:
    """`url` without surrounding blanks or trailing slash; SpecError unless it is a plain http(s) URL."""
    cleaned = url.strip().rstrip("/")

    def refuse(message: str) -> SpecError:
        return SpecError(source, None, [SpecIssue("", message)])

    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
        _ = parts.port  # raises for a port outside 0-65535
    except ValueError:
        raise refuse("must be an http(s) URL with a port from 1 to 65535, such as http://127.0.0.1:5050") from None
    # Checked before anything echoes the URL back: these parts may carry credentials.
    if parts.username or parts.password:
        raise refuse("must not embed credentials; use heroku:apiKey")
    if parts.query or parts.fragment:
        raise refuse("must not have a query string or fragment")
    if parts.scheme not in ("http", "https") or not host:
        raise refuse(f"must be an http(s) URL such as http://127.0.0.1:5050 (got {redact_url(url)!r})")
    return cleaned


def settings_from_engine(environ: Mapping[str, str] | None = None) -> ProviderSettings:
    """Provider settings from the running stack's `heroku:*` config (the environment only for the delays)."""
    env = os.environ if environ is None else environ
    config = pulumi.Config("heroku")
    url = config.get("url")
    from_env = env.get("HEROKU_API_URL")
    return ProviderSettings(
        api_key=config.get_secret("apiKey"),
        url=normalise_url(url) if url else None,
        environment_url=normalise_url(from_env, source="HEROKU_API_URL") if from_env and not url else None,
    )


def heroku_provider(
    settings: ProviderSettings, *, addon_create_timeout_minutes: int | None = None, name: str = PROVIDER_NAME
) -> heroku.Provider:
    """The provider resource for `settings`; credentials out of state, no delays against loopback."""
    delays = (
        heroku.ProviderDelaysArgs(post_app_create_delay=0, post_domain_create_delay=0, post_space_create_delay=0)
        if settings.targets_loopback
        else None
    )
    timeouts = (
        None
        if addon_create_timeout_minutes is None
        else heroku.ProviderTimeoutsArgs(addon_create_timeout=addon_create_timeout_minutes)
    )
    # Provider inputs are written to the state: the key is a secret there.
    return heroku.Provider(
        name,
        api_key=None if settings.api_key is None else pulumi.Output.secret(settings.api_key),
        url=settings.url,
        delays=delays,
        timeouts=timeouts,
        customizations=[
            heroku.ProviderCustomizationArgs(
                set_app_all_config_vars_in_state=False,
                set_addon_config_vars_in_state=False,
            )
        ],
    )
