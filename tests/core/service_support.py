"""Constants and helpers shared by the service tests."""

from __future__ import annotations

from typing import Any

from core.models import Entity, System
from core.schemas import ConnectionCreate, ConnectionPublic, FieldKind
from core.service import IntegrationService

ORG = "acme"
OTHER_ORG = "globex"
TOKEN = "tok-4f1c9e-valid"


def connect(
    service: IntegrationService, name: str = "Memory CRM", **extra: object
) -> ConnectionPublic:
    return service.connections.connect(
        ORG,
        ConnectionCreate(
            system=System.HUBSPOT,
            name=name,
            fields={"api_token": TOKEN},
            entities=[Entity.CONTACT],
            **extra,
        ),
    )


def sandbox_connection(service: IntegrationService, system: System) -> str:
    """A connection to the sandbox's acme tenant, saved untested (no vendor call is made)."""
    info = service.connections.system(system)
    fields: dict[str, Any] = dict(service.admin.sandbox_preset(system))
    for form_field in info.form:
        wanted = form_field.required or form_field.name in ("private_app_token", "api_token")
        if form_field.kind is FieldKind.SECRET and wanted:
            fields[form_field.name] = "sandbox-secret"
    form = ConnectionCreate(system=system, name=f"{system.value} sandbox", fields=fields)
    return service.connections.connect(ORG, form, test_first=False).id
