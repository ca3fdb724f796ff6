"""Bad input at the boundary: each a precise 4xx in the problem-details shape."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import CONNECTION, Keys, bearer


def _is_problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["status"] == status and body["title"]
    assert "Traceback" not in answer.text
    return body


def test_malformed_json_and_wrong_types(client: TestClient, keys: Keys) -> None:
    headers = {**bearer(keys.admin), "Content-Type": "application/json"}
    _is_problem(client.post("/api/integrations", content=b"{not json", headers=headers), 422)
    wrong = client.post(
        "/api/integrations", json={**CONNECTION, "entities": "contact"}, headers=bearer(keys.admin)
    )
    assert _is_problem(wrong, 422)["errors"]
    assert client.get("/api/integrations", headers=bearer(keys.admin)).json()["count"] == 0


def test_huge_bodies_are_413(client: TestClient, keys: Keys) -> None:
    huge = {**CONNECTION, "fields": {"api_token": "x" * 2_000_000}}
    _is_problem(client.post("/api/integrations", json=huge, headers=bearer(keys.admin)), 413)


def test_unknown_routes_and_methods(client: TestClient, keys: Keys) -> None:
    _is_problem(client.get("/api/nothing-here", headers=bearer(keys.admin)), 404)
    _is_problem(client.put("/api/integrations", headers=bearer(keys.admin)), 405)


def test_health_and_docs_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    document = client.get("/openapi.json").json()
    assert "/api/integrations/logs" in document["paths"]
    assert client.get("/docs").status_code == 200
