"""Logs (filters, cursor pages, exports), status cards and alerts over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from core.clock import utcnow
from core.models import Alert, AlertKind, LogEntry, LogLevel, LogStatus, Operation, System
from core.service import IntegrationService
from tests.api.conftest import Keys, bearer
from tests.core.service_support import ORG, OTHER_ORG


@pytest.fixture
def logged(service: IntegrationService) -> None:
    now = utcnow()
    entries = [
        LogEntry(
            organisation_id=ORG,
            time=now - timedelta(minutes=n),
            system=System.HUBSPOT if n % 2 else System.ZOHO,
            operation=Operation.PULL,
            level=LogLevel.ERROR if n % 5 == 0 else LogLevel.INFO,
            status=LogStatus.ERROR if n % 5 == 0 else LogStatus.SUCCESS,
            message=f"entry {n}",
        )
        for n in range(25)
    ]
    entries.append(
        LogEntry(organisation_id=OTHER_ORG, operation=Operation.PULL, message="globex only")
    )
    service.runtime.store.append_logs(entries)


@pytest.mark.usefixtures("logged")
def test_cursor_pages_cover_every_entry_once(client: TestClient, keys: Keys) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 10}
    pages = 0
    while True:
        answer = client.get("/api/integrations/logs", params=params, headers=bearer(keys.viewer))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["count"] == 25
        seen += [e["message"] for e in body["data"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        params = {"limit": 10, "cursor": body["next_cursor"]}
    assert pages == 3 and len(seen) == len(set(seen)) == 25 and "globex only" not in seen


@pytest.mark.usefixtures("logged")
def test_filters_are_values(client: TestClient, keys: Keys) -> None:
    errors = client.get(
        "/api/integrations/logs",
        params={"status": "error", "system": ["zoho", "hubspot"]},
        headers=bearer(keys.viewer),
    ).json()
    assert errors["count"] == 5
    for hostile in ('{"$ne": null}', "' OR 1=1 --", ".*"):
        answer = client.get(
            "/api/integrations/logs", params={"text": hostile}, headers=bearer(keys.viewer)
        )
        assert answer.status_code == 200 and answer.json()["count"] == 0
    operator = client.get(
        "/api/integrations/logs", params={"status[$ne]": "x"}, headers=bearer(keys.viewer)
    )
    assert operator.status_code == 422
    bad = client.get(
        "/api/integrations/logs", params={"cursor": "nope"}, headers=bearer(keys.viewer)
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


@pytest.mark.usefixtures("logged")
def test_exports_stream_csv_and_json(client: TestClient, keys: Keys) -> None:
    by_format = client.get(
        "/api/integrations/logs", params={"format": "csv"}, headers=bearer(keys.viewer)
    )
    assert by_format.status_code == 200
    assert by_format.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_format.text)))
    assert len(rows) == 25 and {r["organisation_id"] for r in rows} == {ORG}
    by_accept = client.get(
        "/api/integrations/logs", headers={**bearer(keys.viewer), "Accept": "text/csv"}
    )
    assert by_accept.headers["content-type"].startswith("text/csv")
    as_json = client.get(
        "/api/integrations/logs", params={"format": "json"}, headers=bearer(keys.viewer)
    )
    assert len(as_json.json()) == 25


def test_status_cards(client: TestClient, keys: Keys, connection_id: str) -> None:
    answer = client.get(
        "/api/integrations/status", params={"period_hours": 48}, headers=bearer(keys.viewer)
    )
    assert answer.status_code == 200
    card = answer.json()["data"][0]
    assert card["connection_id"] == connection_id and card["health"] == "never_synced"
    assert card["kpis"]["runs"] == 0 and card["open_alerts"] == 0
    assert (
        client.get("/api/integrations/status", headers=bearer(keys.other_admin)).json()["count"]
        == 0
    )


def test_alerts_are_acknowledged_by_operators_of_their_organisation(
    client: TestClient, keys: Keys, service: IntegrationService
) -> None:
    alert = service.runtime.store.raise_alert(
        Alert(organisation_id=ORG, kind=AlertKind.CONNECTIVITY, message="vendor unreachable")
    )
    listed = client.get("/api/alerts", headers=bearer(keys.viewer)).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == alert.id
    url = f"/api/alerts/{alert.id}/acknowledge"
    assert client.post(url, headers=bearer(keys.viewer)).status_code == 403
    assert client.post(url, headers=bearer(keys.other_admin)).status_code == 404
    assert client.post(url, headers=bearer(keys.operator)).status_code == 204
    # Acknowledged is not resolved: the alert stays listed until its condition clears.
    [acknowledged] = client.get("/api/alerts", headers=bearer(keys.viewer)).json()["data"]
    assert acknowledged["acknowledged_at"] is not None and acknowledged["resolved_at"] is None
    assert acknowledged["acknowledged_by"].startswith("api key ")
    assert client.post(url, headers=bearer(keys.operator)).status_code == 404  # already
