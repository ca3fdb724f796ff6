"""A tiny scripted HTTP server on a free local port, for tests that need a real socket.

Each route answers with its scripted steps in order (the last one repeats):

    with ScriptedServer() as server:
        server.script("GET", "/items", Step(429, headers={"Retry-After": "2"}), Step(json={...}))
        ...
        assert [seen.path for seen in server.seen] == ["/items", "/items"]

A step can be slow (`delay_s`), drop the connection without answering (`drop`),
declare more bytes than it sends (`short_by`), or be computed from the request
(`reply`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def header(self, name: str) -> str | None:
        lowered = {k.lower(): v for k, v in self.headers.items()}
        return lowered.get(name.lower())


@dataclass
class Step:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False
    short_by: int = 0
    reply: Callable[[Seen], Step] | None = None


class ScriptedServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Step]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        handler = _make_handler(self)
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, method: str, path: str, *steps: Step) -> None:
        with self._lock:
            self.routes[(method.upper(), path)] = list(steps)

    def calls(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method.upper() and s.path == path]

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self, seen: Seen) -> Step:
        with self._lock:
            self.seen.append(seen)
            steps = self.routes.get((seen.method, seen.path))
            if not steps:
                return Step(404, json={"message": f"no route {seen.method} {seen.path}"})
            step = steps.pop(0) if len(steps) > 1 else steps[0]
        return step.reply(seen) if step.reply is not None else step


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients that time out on purpose leave broken pipes behind


def _make_handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            seen = Seen(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body)
            step = server._next(seen)
            if step.delay_s:
                time.sleep(step.delay_s)
            if step.drop:
                self.close_connection = True
                return
            payload = step.body if step.body is not None else b""
            if step.json is not None:
                payload = orjson.dumps(step.json)
            self.send_response(step.status)
            headers = {"Content-Type": "application/json", **step.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload) + step.short_by))
            self.end_headers()
            self.wfile.write(payload)
            if step.short_by:
                self.wfile.flush()
                self.close_connection = True

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle

    return Handler
