"""Where the client finds Heroku: the API base URL and the API token, resolved as the Heroku CLI does.

Order, first found wins:

- base URL: the `base_url` argument, then ``HEROKU_API_URL``, then ``https://api.heroku.com``.
- token: the `token` argument, then ``HEROKU_API_KEY``, then the netrc entry whose ``machine``
  is the base URL's host, with its port when the URL names one (``127.0.0.1:5000``), as
  heroku-go and therefore the Terraform provider match it. ``heroku login`` writes that entry
  (``machine api.heroku.com login <email> password <token>``). The netrc file is ``$NETRC``
  when set (a file, or a directory holding ``.netrc`` as heroku-go reads it), else ``~/.netrc``.
  A ``default`` entry is never used: it was not written for Heroku and must not be sent there.

The token is wrapped in `Secret` the moment it is read, so no repr, log line or error shows it.
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from infra.errors import InvalidApiUrl, MissingCredentials
from infra.spec.secret import Secret
from infra.urls import redact_url

DEFAULT_API_URL = "https://api.heroku.com"


@dataclass(frozen=True)
class ApiToken:
    """A Heroku API token and where it came from (for diagnostics: the source is printable, the value is not)."""

    secret: Secret
    source: str


def resolve_base_url(base_url: str | None = None, *, env: Mapping[str, str] | None = None) -> str:
    """The API base URL without a trailing slash; raises `InvalidApiUrl` unless it is absolute http(s)."""
    environ = os.environ if env is None else env
    chosen, origin = (base_url, "the base_url argument") if base_url else (environ.get("HEROKU_API_URL"), "")
    if not chosen:
        return DEFAULT_API_URL
    origin = origin or "HEROKU_API_URL"
    shown = redact_url(chosen)  # never echo a credential someone put in the URL
    try:
        parts = urlsplit(chosen.strip())
        port = parts.port
    except ValueError:
        raise InvalidApiUrl(f"{origin} has no valid host and port (a port is 1 to 65535; got {shown!r})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidApiUrl(
            f"{origin} must be an absolute http(s) URL such as {DEFAULT_API_URL} or http://127.0.0.1:5000 "
            f"(got {shown!r})"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidApiUrl(
            f"{origin} must not carry credentials (got {shown!r}): put the token in HEROKU_API_KEY or ~/.netrc"
        )
    if port == 0:
        raise InvalidApiUrl(f"{origin} has no valid port (a port is 1 to 65535; got {shown!r})")
    if parts.query or parts.fragment:
        raise InvalidApiUrl(f"{origin} must not carry a query or fragment (got {shown!r})")
    return chosen.strip().rstrip("/")


def netrc_machine(base_url: str) -> str:
    """The netrc ``machine`` name for `base_url`: its host, plus ``:port`` when the URL names a port."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port is not None else host


def netrc_path(env: Mapping[str, str] | None = None) -> Path:
    """The netrc file to read: ``$NETRC`` (a file, or a directory holding ``.netrc``), else ``~/.netrc``."""
    environ = os.environ if env is None else env
    override = environ.get("NETRC")
    if override:
        path = Path(override).expanduser()
        return path / ".netrc" if path.is_dir() else path
    home = environ.get("HOME")
    return (Path(home) if home else Path.home()) / ".netrc"


def resolve_token(
    token: str | Secret | None = None,
    *,
    base_url: str = DEFAULT_API_URL,
    env: Mapping[str, str] | None = None,
) -> ApiToken:
    """The API token from the argument, ``HEROKU_API_KEY`` or netrc; raises `MissingCredentials` if none.

    A malformed netrc file is reported by path and line, never by content (it holds passwords).
    """
    environ = os.environ if env is None else env
    if isinstance(token, Secret):
        return ApiToken(secret=token, source="the token argument")
    if token:
        return ApiToken(secret=Secret(value=token), source="the token argument")
    from_env = environ.get("HEROKU_API_KEY", "").strip()
    if from_env:
        return ApiToken(secret=Secret(value=from_env), source="HEROKU_API_KEY")
    machine = netrc_machine(base_url)
    path = netrc_path(environ)
    password = _netrc_password(path, machine)
    if password:
        return ApiToken(secret=Secret(value=password), source=f"{path} (machine {machine})")
    raise MissingCredentials(
        f"no Heroku API token for {base_url}: set HEROKU_API_KEY, pass a token, or add "
        f"`machine {machine} login <email> password <token>` to {path} (`heroku login` writes it; "
        "`heroku authorizations:create` makes a long-lived token)"
    )


def _netrc_password(path: Path, machine: str) -> str | None:
    if not path.is_file():
        return None
    try:
        # An explicit path skips netrc's ownership check, which the Heroku CLI does not make either.
        entries = netrc.netrc(str(path)).hosts
    except netrc.NetrcParseError as err:
        raise MissingCredentials(
            f"{path} line {err.lineno} is not valid netrc syntax; fix it or set HEROKU_API_KEY"
        ) from None
    except OSError as err:
        raise MissingCredentials(f"{path} could not be read ({err.strerror}); fix it or set HEROKU_API_KEY") from None
    for name, (_login, _account, password) in entries.items():
        if name.lower() == machine.lower() and password:
            return password.strip()
    return None
