"""Conflicts and local records over HTTP: resolve whole or per field, roles, scoping."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.models import Conflict, Entity, System
from core.service import IntegrationService
from tests.api.conftest import Keys, bearer
from tests.core.service_support import ORG


@pytest.fixture
def conflict_id(service: IntegrationService, connection_id: str) -> str:
    conflict = service.runtime.store.add_conflict(
        Conflict(
            organisation_id=ORG,
            connection_id=connection_id,
            system=System.HUBSPOT,
            entity=Entity.CONTACT,
            external_id="c1",
            local={"first_name": "Ours", "last_name": "Same", "email": "a@x.io"},
            remote={"first_name": "Theirs", "last_name": "Same", "email": "b@x.io"},
            differing_fields=["first_name", "email"],
        )
    )
    return conflict.id


def test_conflicts_resolved_field_by_field(
    client: TestClient, keys: Keys, conflict_id: str
) -> None:
    listed = client.get("/api/conflicts", headers=bearer(keys.viewer)).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == conflict_id
    url = f"/api/conflicts/{conflict_id}/resolve"
    body = {"resolution": "merged", "fields": {"first_name": "local", "email": "remote"}}
    assert client.post(url, json=body, headers=bearer(keys.viewer)).status_code == 403
    assert client.post(url, json=body, headers=bearer(keys.other_admin)).status_code == 404
    wrong = client.post(
        url, json={"resolution": "merged", "fields": {"phone": "local"}}, headers=bearer(keys.admin)
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "phone"
    resolved = client.post(url, json=body, headers=bearer(keys.operator))
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_by"] == "api:operator"
    again = client.post(url, json=body, headers=bearer(keys.operator))
    assert again.status_code == 422
    one = client.get(f"/api/conflicts/{conflict_id}", headers=bearer(keys.viewer))
    assert one.json()["resolution"] == "merged"
    assert (
        client.get(f"/api/conflicts/{conflict_id}", headers=bearer(keys.other_admin)).status_code
        == 404
    )


def test_local_records_are_read_and_edited(
    client: TestClient, keys: Keys, connection_id: str
) -> None:
    url = f"/api/integrations/{connection_id}/records/contact"
    edit = {"external_id": "local:new-1", "fields": {"first_name": "Ada", "last_name": "L"}}
    assert client.patch(url, json=edit, headers=bearer(keys.viewer)).status_code == 403
    assert client.patch(url, json=edit, headers=bearer(keys.other_admin)).status_code == 404
    edited = client.patch(url, json=edit, headers=bearer(keys.operator))
    assert edited.status_code == 200, edited.text
    assert edited.json()["local_change"]["first_name"] == "Ada"
    pending = client.get(url, params={"pending_only": True}, headers=bearer(keys.viewer)).json()
    assert pending["count"] == 1
    unknown = client.patch(
        url,
        json={"external_id": "local:new-2", "fields": {"salary": 1}},
        headers=bearer(keys.operator),
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "salary"
    assert client.get(url, headers=bearer(keys.other_admin)).status_code == 404
