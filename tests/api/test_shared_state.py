"""Two API apps on one store (as two processes behind a balancer would be): they share each
key's rate limit and refuse a webhook replayed to the other; the same with Redis holding
the marks. Sessions: listed for admins, revoked one at a time or everywhere."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from api.app import create_app
from core.marks import RedisMarks
from core.runtime import Runtime
from core.schemas import WebhookSetup
from core.service import IntegrationService
from core.settings import load_settings
from tests.api.conftest import Keys, bearer
from tests.api.test_webhooks import _hubspot_headers

REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "hubspot-app-client-secret"


def _open(marks: str, namespace: str) -> IntegrationService:
    runtime = Runtime.open(load_settings(api_rate_limit_per_minute=3))
    if marks == "redis":
        runtime.marks = RedisMarks(REDIS_URL, namespace=namespace)
    return IntegrationService(runtime)


@pytest.fixture(params=["store", "redis"])
def apps(request: pytest.FixtureRequest, service: IntegrationService) -> Iterator[list[TestClient]]:
    """Two apps, each with its own service over the same SQLite file."""
    del service  # opened first: it migrates the file the two apps share
    namespace = f"tp-test-{secrets.token_hex(4)}"
    if request.param == "redis":
        redis.Redis.from_url(REDIS_URL).ping()
    opened = [_open(request.param, namespace) for _ in range(2)]
    try:
        with TestClient(create_app(opened[0])) as one, TestClient(create_app(opened[1])) as two:
            yield [one, two]
    finally:
        for each in opened:
            each.close()
        if request.param == "redis":
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"{namespace}:*"):
                client.delete(key)


def test_two_apps_hold_one_rate_limit_per_key(apps: list[TestClient], keys: Keys) -> None:
    one, two = apps
    assert one.get("/api/runs", headers=bearer(keys.viewer)).status_code == 200
    assert two.get("/api/runs", headers=bearer(keys.viewer)).status_code == 200
    assert one.get("/api/runs", headers=bearer(keys.viewer)).status_code == 200
    refused = two.get("/api/runs", headers=bearer(keys.viewer))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert one.get("/api/runs", headers=bearer(keys.viewer)).status_code == 429
    assert two.get("/api/runs", headers=bearer(keys.operator)).status_code == 200


def test_a_delivery_replayed_to_the_other_app_is_refused(
    apps: list[TestClient], service: IntegrationService, connection_id: str
) -> None:
    from tests.core.service_support import ORG

    service.webhooks.configure(ORG, connection_id, WebhookSetup(secret=SECRET))
    path = f"/api/webhooks/hubspot/{connection_id}"
    body = json.dumps([{"eventId": 7, "subscriptionType": "contact.propertyChange"}]).encode()
    headers = _hubspot_headers(SECRET, "http://testserver" + path, body, int(time.time() * 1000))
    one, two = apps
    assert one.post(path, content=body, headers=headers).status_code == 200
    replayed = two.post(path, content=body, headers=headers)
    assert replayed.status_code == 401 and "detail" not in replayed.json()
    assert one.post(path, content=body, headers=headers).status_code == 401


def _sign_in(client: TestClient) -> str:
    answer = client.post("/api/sessions", json={"username": "ana", "password": PASSWORD})
    assert answer.status_code == 201
    token: str = answer.json()["token"]
    return token


PASSWORD = "correct horse battery"


def test_admins_list_and_revoke_sessions_and_users_sign_out_everywhere(
    client: TestClient, keys: Keys
) -> None:
    form = {"username": "ana", "password": PASSWORD, "role": "viewer"}
    user = client.post("/api/users", json=form, headers=bearer(keys.admin)).json()
    first, second, third = _sign_in(client), _sign_in(client), _sign_in(client)
    assert client.get("/api/sessions", headers=bearer(first)).status_code == 403  # a viewer
    listed = client.get("/api/sessions", headers=bearer(keys.admin)).json()
    assert listed["count"] == 3 and first not in json.dumps(listed)
    assert client.get("/api/sessions", headers=bearer(keys.other_admin)).json()["count"] == 0
    newest = listed["data"][0]["id"]
    assert (
        client.delete(f"/api/sessions/{newest}", headers=bearer(keys.other_admin)).status_code
        == 404
    )
    assert client.delete(f"/api/sessions/{newest}", headers=bearer(keys.admin)).status_code == 204
    assert client.get("/api/runs", headers=bearer(third)).status_code == 401
    assert client.get("/api/runs", headers=bearer(first)).status_code == 200
    assert client.post("/api/sessions/sign-out", headers=bearer(first)).status_code == 204
    assert client.get("/api/runs", headers=bearer(first)).status_code == 401
    assert client.get("/api/runs", headers=bearer(second)).status_code == 200
    fourth = _sign_in(client)
    everywhere = client.post("/api/sessions/sign-out?everywhere=true", headers=bearer(fourth))
    assert everywhere.status_code == 204
    assert client.get("/api/runs", headers=bearer(second)).status_code == 401
    assert client.get("/api/runs", headers=bearer(fourth)).status_code == 401
    fifth = _sign_in(client)
    assert (
        client.post(f"/api/users/{user['id']}/sign-out", headers=bearer(keys.admin)).status_code
        == 204
    )
    assert client.get("/api/runs", headers=bearer(fifth)).status_code == 401
    assert client.post("/api/sessions/sign-out", headers=bearer(keys.admin)).status_code == 400
