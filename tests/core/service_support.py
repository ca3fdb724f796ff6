"""Constants and helpers shared by the service tests."""

from __future__ import annotations

from core.models import Entity, System
from core.schemas import ConnectionCreate, ConnectionPublic
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
