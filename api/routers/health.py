"""Liveness and readiness, unauthenticated (load balancers and `toothpick up` probe them)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ServiceDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get("/healthz")
def healthz() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get("/readyz", responses={503: {"description": "The store does not answer"}})
def readyz(service: ServiceDep) -> Health:
    """The store answers (a StoreUnavailableError becomes a 503 problem)."""
    service.monitoring.check_store()
    return Health(status="ready")
