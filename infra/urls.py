"""URLs the tool talks to or shows: is it the local sandbox, and how to print one without its credentials."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that carry credentials in the URLs people paste (tokens, keys, signatures).
_SECRET_PARAM = re.compile(r"(token|key|secret|password|passwd|pwd|auth|signature|sig|credential|session)", re.I)
REDACTED = "***"


def is_loopback_url(url: str) -> bool:
    """True for a URL on this machine: localhost, *.localhost, 127.0.0.0/8 or ::1."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redact_url(url: str) -> str:
    """`url` with any user:password@ and credential-looking query values replaced by ***."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _redact_loosely(url)
    if not parts.scheme or not parts.netloc:
        return _redact_loosely(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if port is not None:
        netloc += f":{port}"
    if parts.username is not None or parts.password is not None:
        netloc = f"{REDACTED}@{netloc}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, REDACTED if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_loosely(text: str) -> str:
    """For what does not parse as a URL: drop anything between `://` and an `@`."""
    return re.sub(r"(?<=://)[^/@\s]*@", f"{REDACTED}@", text)
