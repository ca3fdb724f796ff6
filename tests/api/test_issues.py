"""Per-record failures over HTTP: grouped by cause, retried (one, a selection, a cause) and
dismissed; viewers read, operators act, another organisation sees nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.models import Entity, IssueDirection, RecordIssue, System
from core.service import IntegrationService
from tests.api.conftest import Keys, bearer
from tests.core.service_support import ORG


@pytest.fixture
def issue_ids(service: IntegrationService, connection_id: str) -> list[str]:
    def issue(external_id: str, code: str, direction: IssueDirection) -> RecordIssue:
        return RecordIssue(
            organisation_id=ORG,
            connection_id=connection_id,
            system=System.HUBSPOT,
            entity=Entity.CONTACT,
            direction=direction,
            external_id=external_id,
            code=code,
            message=f"{code}: refused <b>{external_id}</b>",
        )

    made = [
        issue("c1", "INVALID_EMAIL_ADDRESS", IssueDirection.PUSH),
        issue("c2", "INVALID_EMAIL_ADDRESS", IssueDirection.PUSH),
        issue("c3", "mapping", IssueDirection.PULL),
    ]
    service.runtime.store.save_record_issues(made)
    return [i.id for i in made]


def test_issues_grouped_retried_and_dismissed(
    client: TestClient, keys: Keys, connection_id: str, issue_ids: list[str]
) -> None:
    groups = client.get("/api/issues/groups", headers=bearer(keys.viewer)).json()
    assert [(g["code"], g["count"]) for g in groups["data"]] == [
        ("INVALID_EMAIL_ADDRESS", 2),
        ("mapping", 1),
    ]
    assert groups["data"][1]["example"] == "mapping: refused <b>c3</b>"  # data, as said
    cause = {k: groups["data"][0][k] for k in ("connection_id", "entity", "direction", "code")}

    assert (
        client.post(
            "/api/issues/retry", json={"cause": cause}, headers=bearer(keys.viewer)
        ).status_code
        == 403
    )
    retried = client.post("/api/issues/retry", json={"cause": cause}, headers=bearer(keys.operator))
    assert retried.status_code == 200, retried.text
    assert retried.json()["retried"] == 2 and len(retried.json()["run_ids"]) == 1
    # One more while that run is queued: due at once, no second run (not an error).
    one = client.post(
        "/api/issues/retry", json={"issue_ids": [issue_ids[2]]}, headers=bearer(keys.operator)
    )
    assert one.json() == {"retried": 1, "run_ids": []}

    dismissed = client.post(
        "/api/issues/dismiss", json={"issue_ids": issue_ids[:2]}, headers=bearer(keys.operator)
    )
    assert dismissed.json() == {"dismissed": 2}
    listed = client.get("/api/issues", params={"state": "dismissed"}, headers=bearer(keys.viewer))
    assert {i["id"] for i in listed.json()["data"]} == set(issue_ids[:2])
    assert client.get("/api/issues", headers=bearer(keys.viewer)).json()["count"] == 1


def test_issues_are_scoped_and_selections_validated(
    client: TestClient, keys: Keys, issue_ids: list[str]
) -> None:
    other = bearer(keys.other_admin)
    assert client.get("/api/issues/groups", headers=other).json()["count"] == 0
    stolen = client.post("/api/issues/dismiss", json={"issue_ids": issue_ids}, headers=other)
    assert stolen.status_code == 404
    cause = {"connection_id": "x", "entity": "contact", "direction": "push", "code": "E"}
    bodies: list[dict[str, object]] = [
        {},
        {"issue_ids": []},
        {"issue_ids": ["../x"]},
        {"issue_ids": issue_ids, "cause": cause},  # both: which one?
        {"issue_ids": issue_ids, "extra": 1},
    ]
    for body in bodies:
        answer = client.post("/api/issues/retry", json=body, headers=bearer(keys.operator))
        assert answer.status_code == 422, (body, answer.text)
    assert (
        client.get("/api/issues", params={"state": "nope"}, headers=bearer(keys.viewer)).status_code
        == 422
    )
    assert client.get("/api/issues/groups").status_code == 401
