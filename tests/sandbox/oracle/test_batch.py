"""Batch actions as Oracle's "Perform Batch Actions" page describes them: a `parts` list
(id, relative path, operation, payload) posted to the version root as
`application/vnd.oracle.adf.batch+json`, run all-or-none."""

from __future__ import annotations

import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.oracle.conftest import CRM, FSCM, SYSTEM, framework

BATCH = {"Content-Type": "application/vnd.oracle.adf.batch+json", **framework(4)}


def _items(sandbox: RunningSandbox) -> int:
    return sum(1 for _ in sandbox.control.iter_records(SYSTEM, "acme", "itemsV2"))


def test_parts_are_created_and_updated_in_one_request(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    account = fusion.get(f"{sandbox.url}{CRM}/accounts", params={"limit": 1}, headers=framework(4))
    first = account.json()["items"][0]
    body = {
        "parts": [
            {"id": "part1", "path": "/accounts", "operation": "create",
             "payload": {"OrganizationName": "Batch Works", "SourceSystem": "TOOTHPICK",
                         "SourceSystemReferenceValue": "local:b1"}},
            {"id": "part2", "path": f"/accounts/{first['PartyNumber']}", "operation": "update",
             "payload": {"City": "Batch City"}},
            {"id": "part3", "path": f"/accounts/{first['PartyNumber']}", "operation": "get"},
        ]
    }  # fmt: skip
    answer = fusion.post(f"{sandbox.url}{CRM}", json=body, headers=BATCH, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.oracle.adf.batch+json")
    parts = {p["id"]: p for p in answer.json()["parts"]}
    assert parts["part1"]["payload"]["OrganizationName"] == "Batch Works"
    assert parts["part2"]["payload"]["City"] == "Batch City"
    assert parts["part3"]["payload"]["City"] == "Batch City"  # parts run in order
    found = fusion.get(
        f"{sandbox.url}{CRM}/accounts",
        params={"q": "SourceSystemReferenceValue = 'local:b1'"},
        headers=framework(4),
    ).json()["items"]
    assert [a["PartyNumber"] for a in found] == [parts["part1"]["payload"]["PartyNumber"]]


def test_one_failed_part_fails_the_batch_and_only_it_is_listed(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    before = _items(sandbox)
    body = {
        "parts": [
            {"id": "ok", "path": "/itemsV2", "operation": "create",
             "payload": {"ItemNumber": "TP-BATCH-1", "ItemDescription": "Fine"}},
            {"id": "bad", "path": "/itemsV2", "operation": "create",
             "payload": {"ItemDescription": "No number"}},
            {"id": "dup", "path": "/itemsV2", "operation": "create",
             "payload": {"ItemNumber": "AS54000", "ItemDescription": "Taken"}},
        ]
    }  # fmt: skip
    answer = fusion.post(f"{sandbox.url}{FSCM}", json=body, headers=BATCH, timeout=10)
    assert answer.status_code == 400
    parts = {p["id"]: p for p in answer.json()["parts"]}
    assert set(parts) == {"bad", "dup"}
    assert "ItemNumber" in parts["bad"]["exception"]["detail"]
    assert parts["dup"]["exception"]["o:errorCode"] == "EGP-1018"
    assert _items(sandbox) == before  # none of the parts was processed


def test_a_stale_if_match_fails_its_part(sandbox: RunningSandbox, fusion: requests.Session) -> None:
    url = f"{sandbox.url}{CRM}/accounts"
    number = fusion.get(url, params={"limit": 1}, headers=framework(4)).json()["items"][0][
        "PartyNumber"
    ]
    part = {"id": "p", "path": f"/accounts/{number}", "operation": "update",
            "payload": {"City": "Stale"}, "ifMatch": "not-the-indicator"}  # fmt: skip
    answer = fusion.post(f"{sandbox.url}{CRM}", json={"parts": [part]}, headers=BATCH, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["parts"][0]["exception"]["status"] == "412"
    wrong_type = fusion.post(
        f"{sandbox.url}{CRM}", json={"parts": [part]}, headers=framework(4), timeout=10
    )
    assert wrong_type.status_code == 415


def test_an_item_number_made_through_the_api_is_taken(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    item = {"ItemNumber": "TP-ONCE", "ItemDescription": "Once"}
    made = fusion.post(f"{sandbox.url}{FSCM}/itemsV2", json=item, headers=framework(4), timeout=10)
    assert made.status_code == 201
    part = {"id": "again", "path": "/itemsV2", "operation": "create", "payload": item}
    answer = fusion.post(f"{sandbox.url}{FSCM}", json={"parts": [part]}, headers=BATCH, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["parts"][0]["exception"]["o:errorCode"] == "EGP-1018"
