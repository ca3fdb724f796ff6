"""Serve the sandbox app on a plain-HTTP port and a TLS port from one event loop.

Two uvicorn servers share one app (and so one state). Sockets are bound by us
first, so port 0 works and the real ports are known before serving. Our HTTP
protocol class puts the connection's transport into the ASGI scope so the
"drop" fault can close a connection without sending a response.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
import threading
from collections.abc import Generator
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sandbox.core.app import build_app
from sandbox.core.config import SandboxConfig
from sandbox.core.pipeline import TRANSPORT_EXTENSION
from sandbox.core.state import Sandbox
from sandbox.core.tls import ensure_certificate

log = logging.getLogger(__name__)


class _TransportExposingProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # uvicorn writes a response's head and body separately; without TCP_NODELAY on
        # sockets we bound ourselves, Nagle plus the client's delayed ACK adds ~40 ms
        # to every keep-alive request.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def on_headers_complete(self) -> None:
        extensions: Any = self.scope.setdefault("extensions", {})
        extensions[TRANSPORT_EXTENSION] = {"transport": self.transport}
        super().on_headers_complete()


class _QuietServer(uvicorn.Server):
    """Signals are handled once for both servers by SandboxServer, not by each."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class SandboxServer:
    """Binds, then serves until `stop()`; `started` is set once both ports accept."""

    def __init__(self, config: SandboxConfig, sandbox: Sandbox | None = None) -> None:
        self.config = config
        self.sandbox = sandbox or Sandbox(config)
        self.app = build_app(self.sandbox)
        self.started = threading.Event()
        self._servers: list[uvicorn.Server] = []
        self._sockets: list[socket.socket] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self) -> None:
        cfg = self.config
        display_host = "127.0.0.1" if cfg.host in ("0.0.0.0", "::") else cfg.host  # noqa: S104
        plain = _bind(cfg.host, cfg.port)
        self._sockets = [plain]
        self._servers = [self._server(None)]
        urls = self.sandbox.urls
        urls.http = cfg.public_url or f"http://{display_host}:{plain.getsockname()[1]}"
        if cfg.tls_port is not None:
            files = ensure_certificate(cfg.data_dir / "tls")
            secure = _bind(cfg.host, cfg.tls_port)
            self._sockets.append(secure)
            self._servers.append(self._server(files))
            urls.tls = cfg.public_tls_url or f"https://{display_host}:{secure.getsockname()[1]}"
            urls.ca_path = files.ca.resolve()

    def _server(self, files: Any) -> uvicorn.Server:
        options: dict[str, Any] = {}
        if files is not None:
            options = {"ssl_certfile": str(files.cert), "ssl_keyfile": str(files.key)}
        config = uvicorn.Config(
            self.app,
            http=_TransportExposingProtocol,
            lifespan="on" if files is None else "off",
            access_log=False,
            log_level=self.config.log_level,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
            **options,
        )
        return _QuietServer(config)

    async def serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        if not self._servers:
            self.bind()
        # Word tables, schemas and modules are permanent: keep the cyclic GC from
        # re-scanning them while pages of fresh records are being built.
        gc.freeze()
        tasks = [
            asyncio.ensure_future(server.serve(sockets=[sock]))
            for server, sock in zip(self._servers, self._sockets, strict=True)
        ]
        while not all(server.started for server in self._servers):
            if any(task.done() for task in tasks):
                break
            await asyncio.sleep(0.01)
        if all(server.started for server in self._servers):
            self.started.set()
        await asyncio.gather(*tasks)

    def stop(self) -> None:
        """Ask both servers to exit (thread-safe); idle keep-alive connections, which
        would hold a TLS shutdown open for the whole grace period, are cut after 0.5 s."""
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._halt)
        else:
            for server in self._servers:
                server.should_exit = True

    def _halt(self) -> None:
        for server in self._servers:
            server.should_exit = True

        def cut() -> None:
            for server in self._servers:
                for connection in list(server.server_state.connections):
                    transport = getattr(connection, "transport", None)
                    if transport is not None:
                        transport.abort()

        if self._loop is not None:
            self._loop.call_later(0.5, cut)

    def run_forever(self) -> None:
        """Serve in the main thread until SIGINT/SIGTERM."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.stop)
            await self.serve()

        asyncio.run(main())
