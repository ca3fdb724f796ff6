"""The API over FastAPI's TestClient, on a real service (SQLite file, memory vendor as
HubSpot), with one key per role in `acme` and an admin key in `globex`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.models import Entity, Role
from core.schemas import ApiKeyCreate
from core.service import IntegrationService
from tests.core.service_support import ORG, OTHER_ORG, TOKEN
from tests.support.memory_vendor import MemoryVendor, memory_system


@dataclass
class Keys:
    viewer: str
    operator: str
    admin: str
    other_admin: str


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def vendor() -> MemoryVendor:
    vendor = MemoryVendor()
    for n in range(1, 8):
        vendor.put(Entity.CONTACT, f"c{n}", {"first_name": f"F{n}", "last_name": f"L{n}"})
    return vendor


@pytest.fixture
def service(vendor: MemoryVendor) -> Iterator[IntegrationService]:
    with memory_system(vendor, valid_token=TOKEN):
        opened = IntegrationService.open()
        try:
            yield opened
        finally:
            opened.close()


@pytest.fixture
def keys(service: IntegrationService) -> Keys:
    def make(org: str, role: Role) -> str:
        return service.access.create_key(org, ApiKeyCreate(name=role.value, role=role)).token

    return Keys(
        viewer=make(ORG, Role.VIEWER),
        operator=make(ORG, Role.OPERATOR),
        admin=make(ORG, Role.ADMIN),
        other_admin=make(OTHER_ORG, Role.ADMIN),
    )


@pytest.fixture
def client(service: IntegrationService) -> Iterator[TestClient]:
    with TestClient(create_app(service), raise_server_exceptions=False) as test_client:
        yield test_client


CONNECTION = {
    "system": "hubspot",
    "name": "Memory CRM",
    "fields": {"api_token": TOKEN},
    "entities": ["contact"],
}


@pytest.fixture
def connection_id(client: TestClient, keys: Keys) -> str:
    answer = client.post("/api/integrations", json=CONNECTION, headers=bearer(keys.admin))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])
