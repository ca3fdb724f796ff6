"""HubSpot's batch create and upsert with multi-status answers, as its error-handling
guide documents them: inputs carrying `objectWriteTraceId` are answered one by one (207,
the applied ones in `results` echoing their trace id, the refused ones in `errors[]`
naming theirs in `context.objectWriteTraceId`); without trace ids one bad input refuses
the whole batch (400) and nothing is written."""

from __future__ import annotations

from typing import Any

import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.hubspot.test_conformance import AUTH, SYSTEM

CONTACTS = "/crm/v3/objects/contacts"


def _inputs(traced: bool) -> list[dict[str, Any]]:
    emails = ["ada@example.com", "not-an-email", "grace@example.com"]
    return [
        {"properties": {"email": e, "lastname": f"L{n}"}, "associations": []}
        | ({"objectWriteTraceId": f"trace-{n}"} if traced else {})
        for n, e in enumerate(emails)
    ]


def _post(sandbox: RunningSandbox, path: str, inputs: list[dict[str, Any]]) -> requests.Response:
    return requests.post(
        f"{sandbox.url}{CONTACTS}/{path}", json={"inputs": inputs}, headers=AUTH, timeout=10
    )


def test_traced_batch_create_answers_207_with_each_refusal_named(sandbox: RunningSandbox) -> None:
    sandbox.control.reset(SYSTEM, "acme")
    answer = _post(sandbox, "batch/create", _inputs(traced=True))
    assert answer.status_code == 207
    body = answer.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 1
    assert [r["objectWriteTraceId"] for r in body["results"]] == ["trace-0", "trace-2"]
    [error] = body["errors"]
    assert error["category"] == "VALIDATION_ERROR"
    assert error["context"]["objectWriteTraceId"] == ["trace-1"]
    assert "INVALID_EMAIL" in error["message"]


def test_untraced_batch_create_is_all_or_nothing(sandbox: RunningSandbox) -> None:
    sandbox.control.reset(SYSTEM, "acme")
    before = sandbox.control.count(SYSTEM, "acme", "contacts")
    answer = _post(sandbox, "batch/create", _inputs(traced=False))
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"
    assert sandbox.control.count(SYSTEM, "acme", "contacts") == before


def test_traced_batch_upsert_by_email_creates_then_updates(sandbox: RunningSandbox) -> None:
    sandbox.control.reset(SYSTEM, "acme")
    inputs = [
        {"id": i["properties"]["email"], "idProperty": "email", **i}
        for i in _inputs(traced=True)
        if i["properties"]["email"] != "not-an-email"
    ]
    for item in inputs:
        item.pop("associations")
    first = _post(sandbox, "batch/upsert", inputs).json()
    assert [r["new"] for r in first["results"]] == [True, True]
    again = _post(sandbox, "batch/upsert", inputs).json()
    assert [r["new"] for r in again["results"]] == [False, False]
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]


def test_more_than_100_inputs_are_refused(sandbox: RunningSandbox) -> None:
    answer = _post(sandbox, "batch/create", _inputs(traced=True) * 34)
    assert answer.status_code == 400 and "limit" in answer.json()["message"]
