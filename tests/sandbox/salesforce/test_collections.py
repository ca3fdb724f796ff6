"""sObject Collections through simple-salesforce's `restful`, with the requests of
Salesforce's own documentation ("Create Records Using sObject Collections", "Upsert
Records Using sObject Collections"; the documented MyExtId__c is the sandbox's
ToothPick_Id__c, the external-id field the hub's admin adds)."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceError

from sandbox.testing import RunningSandbox
from tests.sandbox.salesforce.conftest import content

DOCUMENTED_RECORDS: list[dict[str, Any]] = [
    {"attributes": {"type": "Account"}, "Name": "example.com", "BillingCity": "San Francisco"},
    {"attributes": {"type": "Contact"}, "LastName": "Johnson", "FirstName": "Erica"},
]
DOCUMENTED_CREATE = {"allOrNone": False, "records": DOCUMENTED_RECORDS}


def _upsert(ext: list[str]) -> dict[str, Any]:
    names = ("Company One", "Company Two")
    return {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Account"}, "Name": n, "ToothPick_Id__c": e}
            for n, e in zip(names, ext, strict=True)
        ],
    }


def test_the_documented_create_answers_one_save_result_per_record_in_order(
    sandbox: RunningSandbox, sf: Any
) -> None:
    results = sf.restful("composite/sobjects", method="POST", json=DOCUMENTED_CREATE)
    assert [set(r) for r in results] == [{"id", "success", "errors"}] * 2
    assert [r["success"] for r in results] == [True, True]
    assert results[0]["id"].startswith("001") and results[1]["id"].startswith("003")
    made = sandbox.control.get("salesforce", "acme", "Contact", results[1]["id"])
    assert made is not None and made.fields["LastName"] == "Johnson"


def test_a_refused_record_fails_alone_unless_all_or_none(sandbox: RunningSandbox, sf: Any) -> None:
    records = [DOCUMENTED_RECORDS[0], {"attributes": {"type": "Contact"}, "FirstName": "No last"}]
    body = {"allOrNone": False, "records": records}
    results = sf.restful("composite/sobjects", method="POST", json=body)
    assert results[0]["success"] is True
    assert results[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    before = sandbox.control.count("salesforce", "acme", "Account")
    rolled = sf.restful("composite/sobjects", method="POST", json={**body, "allOrNone": True})
    assert [e["statusCode"] for r in rolled for e in r["errors"]] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "REQUIRED_FIELD_MISSING",
    ]
    assert sandbox.control.count("salesforce", "acme", "Account") == before  # nothing written


def test_the_documented_upsert_creates_then_updates_by_external_id(
    sandbox: RunningSandbox, sf: Any
) -> None:
    path = "composite/sobjects/Account/ToothPick_Id__c"
    first = sf.restful(path, method="PATCH", json=_upsert(["AAA", "BBB"]))
    assert [(r["success"], r["created"]) for r in first] == [(True, True), (True, True)]
    again = sf.restful(path, method="PATCH", json=_upsert(["AAA", "CCC"]))
    assert [r["created"] for r in again] == [False, True]
    assert again[0]["id"] == first[0]["id"]  # the same record, not a second one
    described = sf.Account.describe()["fields"]
    [key] = [f for f in described if f["name"] == "ToothPick_Id__c"]
    assert key["externalId"] is True and key["unique"] is True


@pytest.mark.parametrize(
    ("path", "method", "body", "status", "code"),
    [
        ("composite/sobjects", "POST", {"records": [{"attributes": {"type": "Contact"},
         "LastName": "x"}] * 201}, 400, "EXCEEDED_ID_LIMIT"),
        ("composite/sobjects/Account/Name", "PATCH", _upsert(["A", "B"]), 404, "NOT_FOUND"),
        ("composite/sobjects", "POST", {"allOrNone": False}, 400, "JSON_PARSER_ERROR"),
    ],
)  # fmt: skip
def test_a_malformed_call_is_one_error_and_writes_nothing(
    sandbox: RunningSandbox, sf: Any, path: str, method: str, body: Any, status: int, code: str
) -> None:
    before = sandbox.control.count("salesforce", "acme", "Contact")
    with pytest.raises(SalesforceError) as raised:
        sf.restful(path, method=method, json=body)
    assert raised.value.status == status
    assert content(raised.value)[0]["errorCode"] == code
    assert sandbox.control.count("salesforce", "acme", "Contact") == before


def test_the_documented_delete_answers_one_delete_result_per_id_in_order(
    sandbox: RunningSandbox, sf: Any
) -> None:
    """ "Delete Records Using sObject Collections": `DELETE composite/sobjects?ids=...`; a
    deleted record goes to the recycle bin (queryAll shows it), a second delete of it is
    ENTITY_IS_DELETED, a malformed id MALFORMED_ID, and the neighbours are deleted."""
    made = sf.restful("composite/sobjects", method="POST", json=DOCUMENTED_CREATE)
    ids = [r["id"] for r in made]
    params = {"ids": ",".join([ids[0], "notanid", ids[1]]), "allOrNone": "false"}
    results = sf.restful("composite/sobjects", method="DELETE", params=params)
    assert results[0] == {"id": ids[0], "success": True, "errors": []}
    assert results[1]["success"] is False
    assert results[1]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert results[2] == {"id": ids[1], "success": True, "errors": []}
    assert sandbox.control.get("salesforce", "acme", "Contact", ids[1]) is None
    soql = f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{ids[1]}'"  # noqa: S608
    assert sf.query_all(soql, include_deleted=True)["records"][0]["IsDeleted"] is True
    again = sf.restful("composite/sobjects", method="DELETE", params={"ids": ids[1]})
    assert again[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    unknown = ids[1][:6] + "ZZZZZZZZZ"  # well formed, no such record
    nothing = sf.restful("composite/sobjects", method="DELETE", params={"ids": unknown})
    assert nothing[0]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_a_delete_of_more_than_200_ids_is_refused_whole(sandbox: RunningSandbox, sf: Any) -> None:
    made = sf.restful("composite/sobjects", method="POST", json=DOCUMENTED_CREATE)
    ids = [made[1]["id"]] * 201
    with pytest.raises(SalesforceError) as refused:
        sf.restful("composite/sobjects", method="DELETE", params={"ids": ",".join(ids)})
    assert content(refused.value)[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert sandbox.control.get("salesforce", "acme", "Contact", made[1]["id"]) is not None
