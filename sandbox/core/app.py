"""Assemble the one ASGI app: the control API plus every vendor's endpoints.

Vendors are served at their real root paths (they do not collide), because some
client libraries (simple-salesforce, odoorpc) cannot take a path prefix. Every
endpoint path is also served with a trailing slash, since clients differ on it
(simple-salesforce asks for `.../query/?q=`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.core.control_api import ControlApi
from sandbox.core.http import json_response
from sandbox.core.pipeline import make_route
from sandbox.core.state import Sandbox
from sandbox.core.vendor import Endpoint

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "MERGE"]


def _vendor_routes(sandbox: Sandbox) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for vendor in sandbox.vendors.values():
        grouped: dict[str, list[Endpoint]] = defaultdict(list)
        for endpoint in vendor.endpoints():
            grouped[endpoint.path.rstrip("/") or "/"].append(endpoint)
        for path, endpoints in grouped.items():
            handler = make_route(sandbox, vendor, endpoints)
            routes.append(Route(path, handler, methods=ALL_METHODS))
            routes.append(Route(path + "/", handler, methods=ALL_METHODS))
    return routes


def build_app(sandbox: Sandbox) -> Starlette:
    async def fallback(request: Request) -> Response:
        path = request.url.path
        matches = [
            (len(prefix), vendor)
            for vendor in sandbox.vendors.values()
            for prefix in vendor.prefixes
            if path.startswith(prefix)
        ]
        if matches:
            return max(matches, key=lambda m: m[0])[1].not_found(request)
        if path == "/":
            return json_response(
                {
                    "sandbox": "ToothPick vendor sandbox",
                    "systems": sorted(sandbox.vendors),
                    "control": "/__sandbox__/",
                }
            )
        return json_response({"error": "not found", "path": path}, 404)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sandbox.webhooks.start()
        try:
            yield
        finally:
            sandbox.webhooks.stop()

    routes: list[BaseRoute] = [*ControlApi(sandbox).routes(), *_vendor_routes(sandbox)]
    routes.append(Route("/{path:path}", fallback, methods=ALL_METHODS))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
