"""Syncs and runs over HTTP: 202 with the run's URL, progress, cancel, roles, scoping."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Keys, bearer


def test_queue_a_sync_and_follow_it(client: TestClient, keys: Keys, connection_id: str) -> None:
    answer = client.post(
        "/api/integrations/sync",
        json={"connection_id": connection_id, "entities": ["contact"], "dry_run": True},
        headers=bearer(keys.operator),
    )
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert accepted["state"] == "queued"
    assert accepted["url"] == f"/api/runs/{accepted['run_id']}"
    assert answer.headers["location"] == accepted["url"]
    run = client.get(accepted["url"], headers=bearer(keys.viewer))
    assert run.status_code == 200
    body = run.json()
    assert body["options"]["dry_run"] is True and body["trigger"] == "api"
    listed = client.get("/api/runs", headers=bearer(keys.viewer))
    assert listed.json()["count"] == 1
    second = client.post(
        "/api/integrations/sync", json={"connection_id": connection_id}, headers=bearer(keys.admin)
    )
    assert second.status_code == 409 and second.json()["run_id"] == accepted["run_id"]
    cancelled = client.post(f"{accepted['url']}/cancel", headers=bearer(keys.operator))
    assert cancelled.status_code == 202 and cancelled.json()["state"] == "cancelled"


def test_viewers_cannot_sync_or_cancel(client: TestClient, keys: Keys, connection_id: str) -> None:
    answer = client.post(
        "/api/integrations/sync", json={"connection_id": connection_id}, headers=bearer(keys.viewer)
    )
    assert answer.status_code == 403
    assert client.get("/api/runs", headers=bearer(keys.viewer)).json()["count"] == 0


def test_unsupported_entities_and_unknown_options_are_422(
    client: TestClient, keys: Keys, connection_id: str
) -> None:
    wrong = client.post(
        "/api/integrations/sync",
        json={"connection_id": connection_id, "entities": ["product"]},
        headers=bearer(keys.operator),
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "entities"
    extra = client.post(
        "/api/integrations/sync",
        json={"connection_id": connection_id, "priority": 1},
        headers=bearer(keys.operator),
    )
    assert extra.status_code == 422


def test_another_organisations_runs_are_404(
    client: TestClient, keys: Keys, connection_id: str
) -> None:
    other = bearer(keys.other_admin)
    queued = client.post(
        "/api/integrations/sync", json={"connection_id": connection_id}, headers=other
    )
    assert queued.status_code == 404
    run = client.post(
        "/api/integrations/sync",
        json={"connection_id": connection_id},
        headers=bearer(keys.operator),
    ).json()
    assert client.get(run["url"], headers=other).status_code == 404
    assert client.post(f"{run['url']}/cancel", headers=other).status_code == 404
    assert client.get("/api/runs", headers=other).json()["count"] == 0
    assert client.get(run["url"], headers=bearer(keys.viewer)).json()["state"] == "queued"
