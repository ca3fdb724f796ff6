"""The dependencies routes declare, as `Annotated` aliases so signatures read like prose:

    def list_connections(service: ServiceDep, caller: Viewer) -> ...
    def connect(service: ServiceDep, caller: Admin, form: ConnectionCreate) -> ...

A caller authenticates with `Authorization: Bearer <API key or session token>`; every failure is
the same bare 401. The role aliases (Viewer, Operator, Admin) answer 403 to a
key whose role is too low, after authentication, and count toward its rate.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.models import Role
from core.schemas import Caller
from core.service import IntegrationService

bearer = HTTPBearer(
    auto_error=False,
    description="An API key (`toothpick api-keys create`) or a session token (POST /api/sessions).",
)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in
# its thread pool, a hop per dependency per request that costs more than the check itself
# when many clients wait for the pool's threads.


async def get_service(request: Request) -> IntegrationService:
    service: IntegrationService = request.app.state.service
    return service


ServiceDep = Annotated[IntegrationService, Depends(get_service)]


def get_caller(
    request: Request,
    service: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    caller = service.access.authenticate(credentials.credentials) if credentials else None
    if caller is None:
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    wait = service.access.throttle(caller.key_id, request.app.state.rate_per_minute)
    if wait is not None:
        raise HTTPException(
            429,
            "This API key made too many requests; slow down.",
            headers={"Retry-After": str(math.ceil(wait) or 1)},
        )
    return caller


def _require(role: Role) -> Callable[[Caller], Awaitable[Caller]]:
    async def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if not caller.can(role):
            raise HTTPException(
                403, f"This needs the {role.value} role; the key is a {caller.role.value}."
            )
        return caller

    return check


Viewer = Annotated[Caller, Depends(_require(Role.VIEWER))]
Operator = Annotated[Caller, Depends(_require(Role.OPERATOR))]
Admin = Annotated[Caller, Depends(_require(Role.ADMIN))]
