"""Serving the sandbox on a real port with uvicorn: in the foreground (the CLI) or a background thread (tests).

Dropped-connection faults end the ASGI call with `ConnectionDropped`; uvicorn then closes the
socket mid-body, which is the point, and would log it as an application error: a filter
keeps those deliberate drops out of the log.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from infra.errors import SandboxError
from infra.sandbox.faults import ConnectionDropped


class _HideDeliberateDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_DROP_FILTER = _HideDeliberateDrops()


def quiet_deliberate_drops() -> None:
    """Keep uvicorn from logging the sandbox's injected connection drops as errors."""
    logger = logging.getLogger("uvicorn.error")
    if _DROP_FILTER not in logger.filters:
        logger.addFilter(_DROP_FILTER)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def uvicorn_config(app: Starlette, host: str, port: int, log_level: str = "warning") -> uvicorn.Config:
    quiet_deliberate_drops()
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="on")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` (0 = any free port), or a `SandboxError` saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets that say so, and
    # without it every keep-alive answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise SandboxError(f"sandbox: cannot listen on {host}:{port} ({err.strerror or err})") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve_foreground(
    app: Starlette, host: str, port: int, on_ready: Callable[[str], None], log_level: str = "warning"
) -> None:
    """Serve `app` until interrupted (Ctrl+C, SIGTERM); `on_ready(base_url)` runs once it is listening."""
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    server = uvicorn.Server(uvicorn_config(app, host, actual, log_level))
    on_ready(f"http://{shown}:{actual}")
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl+C it already handled; stopping is the normal way out
    finally:
        sock.close()


class BackgroundServer:
    """The sandbox on `host:port` in a daemon thread; a context manager that waits until it serves.

    >>> with BackgroundServer(create_app()) as server:  # doctest: +SKIP
    ...     httpx.get(server.base_url + "/__sandbox/health")
    """

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._server = uvicorn.Server(uvicorn_config(app, host, self.port))
        self._thread = threading.Thread(target=self._server.run, name=f"sandbox:{self.port}", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SandboxError(f"sandbox: could not start on {self.host}:{self.port} within {timeout:g} s")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
