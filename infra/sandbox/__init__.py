"""A local Heroku Platform API emulator (the sandbox), for tests and for offline rehearsals of `pulumi up`.

`create_app(SandboxConfig(...))` returns the ASGI app; `SandboxTransport` serves it to httpx
in-process; `BackgroundServer` serves it on a loopback port. See `infra/sandbox/app.py`.
"""

from infra.sandbox.app import create_app
from infra.sandbox.config import Delays, RateLimit, SandboxConfig
from infra.sandbox.faults import ConnectionDropped, Faults
from infra.sandbox.router import HttpBehaviour
from infra.sandbox.server import BackgroundServer
from infra.sandbox.transport import SandboxTransport

__all__ = [
    "BackgroundServer",
    "ConnectionDropped",
    "Delays",
    "Faults",
    "HttpBehaviour",
    "RateLimit",
    "SandboxConfig",
    "SandboxTransport",
    "create_app",
]
