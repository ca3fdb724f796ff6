"""Connections and systems over HTTP: roles, secrets never shown, validation, scoping."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import CONNECTION, Keys, bearer
from tests.core.service_support import TOKEN


def test_systems_and_their_forms(client: TestClient, keys: Keys) -> None:
    answer = client.get("/api/systems", headers=bearer(keys.viewer))
    assert answer.status_code == 200
    systems = {s["system"]: s for s in answer.json()["data"]}
    assert set(systems) >= {"sap", "odoo", "oracle", "salesforce", "hubspot", "zoho", "pipedrive"}
    assert systems["hubspot"]["form"]
    one = client.get("/api/systems/zoho", headers=bearer(keys.viewer))
    assert one.status_code == 200 and one.json()["system"] == "zoho"
    assert client.get("/api/systems/nope", headers=bearer(keys.viewer)).status_code == 422


def test_create_list_get_patch_delete(client: TestClient, keys: Keys, connection_id: str) -> None:
    listed = client.get("/api/integrations", headers=bearer(keys.viewer))
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1 and body["data"][0]["id"] == connection_id
    assert TOKEN not in listed.text and body["data"][0]["secret_fields"] == ["api_token"]
    one = client.get(f"/api/integrations/{connection_id}", headers=bearer(keys.viewer))
    assert one.status_code == 200 and TOKEN not in one.text
    patched = client.patch(
        f"/api/integrations/{connection_id}",
        json={"name": "Renamed"},
        headers=bearer(keys.admin),
    )
    assert patched.status_code == 200 and patched.json()["name"] == "Renamed"
    gone = client.delete(f"/api/integrations/{connection_id}", headers=bearer(keys.admin))
    assert gone.status_code == 204
    again = client.get(f"/api/integrations/{connection_id}", headers=bearer(keys.viewer))
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"


def test_a_second_connection_of_the_same_name_is_409(
    client: TestClient, keys: Keys, connection_id: str
) -> None:
    answer = client.post("/api/integrations", json=CONNECTION, headers=bearer(keys.admin))
    assert answer.status_code == 409
    assert answer.json()["status"] == 409


def test_credentials_are_tested_without_storing(client: TestClient, keys: Keys) -> None:
    good = client.post(
        "/api/integrations/test",
        json={"system": "hubspot", "fields": {"api_token": TOKEN}},
        headers=bearer(keys.admin),
    )
    assert good.status_code == 200 and good.json()["ok"] is True
    bad = client.post(
        "/api/integrations/test",
        json={"system": "hubspot", "fields": {"api_token": "wrong"}},
        headers=bearer(keys.admin),
    )
    assert bad.status_code == 200 and bad.json()["ok"] is False
    assert "wrong" not in bad.text
    assert client.get("/api/integrations", headers=bearer(keys.admin)).json()["count"] == 0


def test_refused_credentials_store_nothing(client: TestClient, keys: Keys) -> None:
    form = {**CONNECTION, "fields": {"api_token": "wrong-token"}}
    answer = client.post("/api/integrations", json=form, headers=bearer(keys.admin))
    assert answer.status_code == 422 and "wrong-token" not in answer.text
    assert client.get("/api/integrations", headers=bearer(keys.admin)).json()["count"] == 0


def test_form_errors_name_the_field(client: TestClient, keys: Keys) -> None:
    form = {**CONNECTION, "fields": {}}
    answer = client.post("/api/integrations", json=form, headers=bearer(keys.admin))
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["title"] == "Invalid input" and "API token" in problem["detail"]
    assert problem["errors"][0]["field"] == "api_token"


def test_unknown_fields_and_unknown_systems_are_rejected(client: TestClient, keys: Keys) -> None:
    extra = client.post(
        "/api/integrations", json={**CONNECTION, "admin": True}, headers=bearer(keys.admin)
    )
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["field"] == "admin"
    unknown = client.post(
        "/api/integrations", json={**CONNECTION, "system": "sage"}, headers=bearer(keys.admin)
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "system"


def test_discovered_fields(client: TestClient, keys: Keys, connection_id: str) -> None:
    answer = client.get(
        f"/api/integrations/{connection_id}/fields",
        params={"entity": "contact"},
        headers=bearer(keys.viewer),
    )
    assert answer.status_code == 200 and answer.json()["count"] >= 1


def test_viewers_and_operators_cannot_change_connections(
    client: TestClient, keys: Keys, connection_id: str
) -> None:
    for token in (keys.viewer, keys.operator):
        create = client.post("/api/integrations", json=CONNECTION, headers=bearer(token))
        assert create.status_code == 403
        patch = client.patch(
            f"/api/integrations/{connection_id}", json={"name": "x"}, headers=bearer(token)
        )
        assert patch.status_code == 403
        delete = client.delete(f"/api/integrations/{connection_id}", headers=bearer(token))
        assert delete.status_code == 403
    assert (
        client.get(f"/api/integrations/{connection_id}", headers=bearer(keys.viewer)).json()["name"]
        == CONNECTION["name"]
    )


def test_another_organisations_connection_is_404(
    client: TestClient, keys: Keys, connection_id: str
) -> None:
    other = bearer(keys.other_admin)
    assert client.get(f"/api/integrations/{connection_id}", headers=other).status_code == 404
    patch = client.patch(f"/api/integrations/{connection_id}", json={"name": "x"}, headers=other)
    assert patch.status_code == 404
    assert client.delete(f"/api/integrations/{connection_id}", headers=other).status_code == 404
    assert client.get("/api/integrations", headers=other).json()["count"] == 0
    fields = client.get(
        f"/api/integrations/{connection_id}/fields", params={"entity": "contact"}, headers=other
    )
    assert fields.status_code == 404


def test_webhook_set_up_is_for_admins_of_the_organisation(
    client: TestClient, keys: Keys, connection_id: str
) -> None:
    url = f"/api/integrations/{connection_id}/webhook"
    body = {"secret": "hubspot-app-client-secret"}
    for token in (keys.viewer, keys.operator):
        assert client.put(url, json=body, headers=bearer(token)).status_code == 403
    assert client.put(url, json=body, headers=bearer(keys.other_admin)).status_code == 404
    answer = client.put(url, json=body, headers=bearer(keys.admin))
    assert answer.status_code == 200
    assert answer.json()["path"] == f"/api/webhooks/hubspot/{connection_id}"
    assert (
        "hubspot-app-client-secret"
        not in client.get(f"/api/integrations/{connection_id}", headers=bearer(keys.admin)).text
    )
