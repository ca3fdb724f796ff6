"""Keys over HTTP and the CLI: shown once, stored hashed, revoked, scoped, rate limited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from core.service import IntegrationService
from core.settings import load_settings
from tests.api.conftest import Keys, bearer
from tests.core.service_support import ORG


def test_no_key_a_wrong_key_and_a_revoked_key_are_bare_401s(
    client: TestClient, keys: Keys, service: IntegrationService
) -> None:
    forged = keys.viewer[:-4] + "AAAA"
    for headers in ({}, bearer("nonsense"), bearer(forged), {"Authorization": "Basic eDp5"}):
        answer = client.get("/api/integrations", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert "detail" not in answer.json()
    key_id = client.get("/api/keys", headers=bearer(keys.admin)).json()["data"][-1]["id"]
    assert client.delete(f"/api/keys/{key_id}", headers=bearer(keys.admin)).status_code == 204
    revoked = [k for k in service.access.list_keys(ORG) if k.revoked_at]
    assert [k.id for k in revoked] == [key_id]
    assert client.get("/api/integrations", headers=bearer(keys.viewer)).status_code == 401


def test_keys_are_shown_once_and_stored_hashed(
    client: TestClient, keys: Keys, service: IntegrationService
) -> None:
    created = client.post(
        "/api/keys", json={"name": "ci", "role": "operator"}, headers=bearer(keys.admin)
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert client.get("/api/runs", headers=bearer(token)).status_code == 200
    listed = client.get("/api/keys", headers=bearer(keys.admin))
    assert token not in listed.text and "secret_hash" not in listed.text
    stored = service.runtime.store.get_api_key(created.json()["key"]["id"])
    assert stored is not None and token.rsplit("_", 1)[-1] not in stored.model_dump_json()


def test_only_admins_manage_keys_of_their_own_organisation(client: TestClient, keys: Keys) -> None:
    for token in (keys.viewer, keys.operator):
        assert client.get("/api/keys", headers=bearer(token)).status_code == 403
        assert (
            client.post("/api/keys", json={"name": "x"}, headers=bearer(token)).status_code == 403
        )
    own = client.get("/api/keys", headers=bearer(keys.admin)).json()["data"]
    assert (
        client.delete(f"/api/keys/{own[0]['id']}", headers=bearer(keys.other_admin)).status_code
        == 404
    )
    assert len(client.get("/api/keys", headers=bearer(keys.other_admin)).json()["data"]) == 1


def test_each_key_has_its_own_rate_limit(service: IntegrationService, keys: Keys) -> None:
    settings = load_settings(api_rate_limit_per_minute=3)
    service.runtime.settings = settings
    with TestClient(create_app(service)) as limited:
        for _ in range(3):
            assert limited.get("/api/runs", headers=bearer(keys.viewer)).status_code == 200
        refused = limited.get("/api/runs", headers=bearer(keys.viewer))
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["title"] == "Too many requests"
        assert limited.get("/api/runs", headers=bearer(keys.operator)).status_code == 200


def test_users_sign_in_for_sessions_that_carry_their_role(client: TestClient, keys: Keys) -> None:
    form = {"username": "ana", "password": "correct horse battery", "role": "operator"}
    assert client.post("/api/users", json=form, headers=bearer(keys.operator)).status_code == 403
    created = client.post("/api/users", json=form, headers=bearer(keys.admin))
    assert created.status_code == 201 and "password" not in created.text
    assert client.post("/api/users", json=form, headers=bearer(keys.other_admin)).status_code == 409
    wrong = client.post("/api/sessions", json={"username": "ana", "password": "nope nope nope"})
    assert wrong.status_code == 401 and "detail" not in wrong.json()
    session = client.post("/api/sessions", json={"username": "ana", "password": form["password"]})
    assert session.status_code == 201
    token = session.json()["token"]
    assert client.get("/api/runs", headers=bearer(token)).status_code == 200
    assert client.get("/api/keys", headers=bearer(token)).status_code == 403
    user_id = created.json()["id"]
    url = f"/api/users/{user_id}"
    assert client.delete(url, headers=bearer(keys.other_admin)).status_code == 404
    assert client.delete(url, headers=bearer(keys.admin)).status_code == 204
    assert client.get("/api/runs", headers=bearer(token)).status_code == 401
