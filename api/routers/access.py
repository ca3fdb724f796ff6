"""service.access: the organisation's API keys (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import Admin, ServiceDep
from api.problems import PROBLEM_RESPONSES
from api.schemas import ListOf
from core.models import Identifier
from core.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic

router = APIRouter(tags=["access"], responses=PROBLEM_RESPONSES)


@router.get("/api/keys")
def list_keys(service: ServiceDep, caller: Admin) -> ListOf[ApiKeyPublic]:
    found = service.access.list_keys(caller.organisation_id)
    return ListOf(data=found, count=len(found))


@router.post("/api/keys", status_code=201)
def create_key(form: ApiKeyCreate, service: ServiceDep, caller: Admin) -> ApiKeyCreated:
    """The answer carries the token once; only its hash is stored."""
    return service.access.create_key(caller.organisation_id, form)


@router.delete("/api/keys/{key_id}", status_code=204)
def revoke_key(key_id: Identifier, service: ServiceDep, caller: Admin) -> Response:
    service.access.revoke_key(caller.organisation_id, key_id)
    return Response(status_code=204)
