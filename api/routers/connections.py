"""service.connections: systems and their forms, connections, credential tests, fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import Admin, ServiceDep, Viewer
from api.problems import PROBLEM_RESPONSES
from api.schemas import CredentialsTest, ListOf
from core.models import Entity, Identifier, System
from core.schemas import (
    CheckResult,
    ConnectionCreate,
    ConnectionPublic,
    ConnectionUpdate,
    SystemInfo,
    VendorField,
)

router = APIRouter(tags=["connections"], responses=PROBLEM_RESPONSES)
ConnectionId = Annotated[Identifier, "a connection id"]


@router.get("/api/systems", response_model=ListOf[SystemInfo])
def systems(service: ServiceDep, _caller: Viewer) -> ListOf[SystemInfo]:
    """The seven systems, each with its connection form and its entities (and why not)."""
    found = service.connections.systems()
    return ListOf(data=found, count=len(found))


@router.get("/api/systems/{system}", response_model=SystemInfo)
def system(system: System, service: ServiceDep, _caller: Viewer) -> SystemInfo:
    return service.connections.system(system)


@router.get("/api/integrations")
def list_connections(service: ServiceDep, caller: Viewer) -> ListOf[ConnectionPublic]:
    """The organisation's connections; secrets never included (only their field names)."""
    found = service.connections.list_connections(caller.organisation_id)
    return ListOf(data=found, count=len(found))


@router.post("/api/integrations", status_code=201)
def connect(
    form: ConnectionCreate,
    service: ServiceDep,
    caller: Admin,
    test_first: Annotated[bool, Query(description="Test against the vendor first")] = True,
) -> ConnectionPublic:
    """Validate against the system's form, (test,) seal the secret at once, save."""
    return service.connections.connect(caller.organisation_id, form, test_first=test_first)


@router.post("/api/integrations/test")
def test_credentials(form: CredentialsTest, service: ServiceDep, caller: Admin) -> CheckResult:
    """Test a filled-in form against the vendor; nothing is stored."""
    return service.connections.test_credentials(caller.organisation_id, form.system, form.fields)


@router.get("/api/integrations/{connection_id}")
def get_connection(
    connection_id: ConnectionId, service: ServiceDep, caller: Viewer
) -> ConnectionPublic:
    return service.connections.get_connection(caller.organisation_id, connection_id)


@router.patch("/api/integrations/{connection_id}")
def update_connection(
    connection_id: ConnectionId, update: ConnectionUpdate, service: ServiceDep, caller: Admin
) -> ConnectionPublic:
    """Only what is given changes; a blank secret field keeps the stored one."""
    return service.connections.update_connection(caller.organisation_id, connection_id, update)


@router.delete("/api/integrations/{connection_id}", status_code=204)
def delete_connection(connection_id: ConnectionId, service: ServiceDep, caller: Admin) -> Response:
    service.connections.delete_connection(caller.organisation_id, connection_id)
    return Response(status_code=204)


@router.get("/api/integrations/{connection_id}/fields")
def discover_fields(
    connection_id: ConnectionId, entity: Entity, service: ServiceDep, caller: Viewer
) -> ListOf[VendorField]:
    """The vendor's fields for an entity (custom ones flagged), for mapping overrides."""
    found = service.connections.discover_fields(caller.organisation_id, connection_id, entity)
    return ListOf(data=found, count=len(found))
