"""In-process transport: the sandbox app behind httpx with no socket, dropped connections included.

`httpx.ASGITransport` would re-raise the app's `ConnectionDropped`; a client must instead see
what a real dropped connection gives it, an `httpx.RemoteProtocolError` (a
`httpx.TransportError`), exactly as over a loopback port.
"""

from __future__ import annotations

import httpx

from infra.sandbox.faults import ConnectionDropped


class SandboxTransport(httpx.ASGITransport):
    """`httpx.ASGITransport` for the sandbox app; a dropped connection raises `httpx.RemoteProtocolError`."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionDropped as err:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body (sandbox fault)", request=request
            ) from err
