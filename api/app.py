"""Build the FastAPI app around one IntegrationService (tests pass their own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import problems
from api.limits import BodyLimit
from api.routers import (
    access,
    connections,
    health,
    issues,
    monitoring,
    review,
    syncs,
    webhooks,
)
from core.service import IntegrationService


def create_app(service: IntegrationService | None = None) -> FastAPI:
    """`service=None` opens one from the environment and closes it at shutdown."""
    owned = service is None
    opened = service or IntegrationService.open()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            opened.close()

    settings = opened.settings
    app = FastAPI(
        title="ToothPick Integration Hub",
        version="1",
        description="Connections, syncs, logs, conflicts and alerts of one organisation. "
        "Authenticate with `Authorization: Bearer <API key>`; errors are RFC 9457 "
        "problem details.",
        lifespan=lifespan,
    )
    app.state.service = opened
    app.state.rate_per_minute = settings.api_rate_limit_per_minute
    problems.install(app)
    # Fixed paths (/logs, /status, /sync, /test) before /api/integrations/{connection_id}.
    for router in (syncs, monitoring, connections, review, issues, access, webhooks, health):
        app.include_router(router.router)
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)
    return app
