"""The Salesforce simulator driven through simple-salesforce over real HTTPS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from sandbox.testing import RunningSandbox
from tests.sandbox.receiver import webhook_receiver
from tests.sandbox.salesforce.conftest import ACME, content, token

SYSTEM = "salesforce"


def test_password_grant_returns_a_tls_instance_url(sandbox: RunningSandbox) -> None:
    grant = token(sandbox).json()
    assert grant["instance_url"] == sandbox.tls_url
    assert grant["token_type"] == "Bearer" and grant["id"].startswith(f"{sandbox.tls_url}/id/00D")
    refused = token(sandbox, password="wrong")
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "authentication failure",
    }
    unknown = token(sandbox, client_id="nope")
    assert unknown.json()["error"] == "invalid_client_id"


def test_refresh_token_grant_issues_a_working_token(sandbox: RunningSandbox) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": ACME["client_id"],
        "client_secret": ACME["client_secret"],
        "refresh_token": "5Aep861acme.sandbox.refresh.token",
    }
    grant = requests.post(f"{sandbox.url}/services/oauth2/token", data=form, timeout=10).json()
    assert "refresh_token" not in grant
    headers = {"Authorization": f"Bearer {grant['access_token']}"}
    limits = requests.get(f"{sandbox.url}/services/data/v59.0/limits/", headers=headers, timeout=10)
    assert limits.status_code == 200 and "DailyApiRequests" in limits.json()
    form["refresh_token"] = "stolen"
    bad = requests.post(f"{sandbox.url}/services/oauth2/token", data=form, timeout=10)
    assert bad.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }


def test_query_all_pages_through_every_record(sandbox: RunningSandbox, sf: Any) -> None:
    sandbox.control.set_scale(SYSTEM, "acme", {"Contact": 4500})
    sandbox.control.reset_stats()
    result = sf.query_all("SELECT Id, FirstName, LastName, Email, Account.Name FROM Contact")
    ids = [r["Id"] for r in result["records"]]
    assert len(ids) == 4500 == len(set(ids))
    assert result["records"][0]["Account"]["attributes"]["type"] == "Account"
    requests_made = sandbox.control.stats(system=SYSTEM)["requests"]
    assert sum(r["count"] for r in requests_made if "query" in r["path"]) == 3  # 2000+2000+500
    assert sandbox.control.records_served(SYSTEM, "acme", "Contact") == 4500
    assert sf.api_usage["api-usage"].total == 100_000


def test_batch_size_header_shrinks_pages(sandbox: RunningSandbox, sf: Any) -> None:
    first = sf.query("SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=200"})
    assert len(first["records"]) == 200 and first["done"] is False
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert second["records"][0]["Id"] != first["records"][0]["Id"]


def test_create_update_delete_round_trip(sandbox: RunningSandbox, sf: Any) -> None:
    created = sf.Contact.create({"LastName": "Ng", "FirstName": "Ana", "Email": "ana@example.com"})
    assert created["success"] is True and created["id"].startswith("003")
    assert sf.Contact.update(created["id"], {"Title": "CFO"}) == 204
    truth = sandbox.control.get(SYSTEM, "acme", "Contact", created["id"])
    assert truth is not None and truth.fields["Title"] == "CFO"
    record = sf.Contact.get(created["id"])
    assert record["Name"] == "Ana Ng" and record["OwnerId"].startswith("005")
    assert sf.Contact.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(created["id"])
    soql = f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{created['id']}'"  # noqa: S608
    gone = sf.query_all(soql, include_deleted=True)
    assert gone["records"][0]["IsDeleted"] is True


def test_write_validation_errors_are_salesforce_arrays(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Contact.create({"FirstName": "No last name"})
    assert content(missing.value)[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert content(missing.value)[0]["fields"] == ["LastName"]
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Contact.create({"LastName": "x", "Shoe_Size__c": 9})
    assert content(unknown.value)[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as readonly:
        sf.Opportunity.create(
            {"Name": "x", "StageName": "Prospecting", "CloseDate": "2025-01-01", "IsWon": True}
        )
    assert content(readonly.value)[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceMalformedRequest) as bad_ref:
        sf.Contact.create({"LastName": "x", "AccountId": "003000000000000AAA"})
    assert content(bad_ref.value)[0]["errorCode"] == "MALFORMED_ID"


def test_describe_reports_each_tenants_custom_fields(sandbox: RunningSandbox, sf: Any) -> None:
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {
        "Account",
        "Contact",
        "Opportunity",
        "Task",
        "Event",
        "Quote",
        "Product2",
        "Order",
    } <= names
    contact = sf.Contact.describe()
    fields = {f["name"]: f for f in contact["fields"]}
    assert (
        fields["Loyalty_Tier__c"]["custom"] is True
        and fields["Loyalty_Tier__c"]["type"] == "picklist"
    )
    assert fields["AccountId"]["referenceTo"] == ["Account"] and fields["Id"]["type"] == "id"
    globex = requests.get(
        f"{sandbox.url}/services/data/v59.0/sobjects/Contact/describe",
        headers={"Authorization": "Bearer 00D8j-globex-static-session"},
        timeout=10,
    ).json()
    globex_fields = {f["name"] for f in globex["fields"]}
    assert "Preferred_Channel__c" in globex_fields and "Loyalty_Tier__c" not in globex_fields


def test_incremental_query_returns_only_changed_records(sandbox: RunningSandbox, sf: Any) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Contact LIMIT 3")["records"]]
    for record_id in ids:
        sandbox.control.update(SYSTEM, "acme", "Contact", record_id, {"Title": "Changed"})
    sandbox.control.reset_stats()
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = sf.query_all(
        f"SELECT Id, Title FROM Contact WHERE SystemModstamp > {stamp} ORDER BY SystemModstamp"  # noqa: S608 - SOQL under test
    )
    assert [r["Id"] for r in changed["records"]] == ids
    assert sandbox.control.records_served(SYSTEM, "acme", "Contact") == 3


def test_bad_soql_gets_malformed_query(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id FRM Contact")
    assert content(caught.value)[0]["errorCode"] == "MALFORMED_QUERY"
    assert "ERROR at Row:1:Column:11" in content(caught.value)[0]["message"]


def test_token_expiring_mid_pagination_then_refresh_continues(
    sandbox: RunningSandbox, sf: Any
) -> None:
    first = sf.query("SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=200"})
    sandbox.control.add_fault(
        {"system": SYSTEM, "tenant": "acme", "op": "list", "sequence": ["token_expired"]}
    )
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert content(caught.value) == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    with pytest.raises(SalesforceExpiredSession):  # the token stays expired
        sf.query("SELECT Id FROM Contact LIMIT 1")
    sf.session_id = token(sandbox).json()["access_token"]
    sf.headers["Authorization"] = f"Bearer {sf.session_id}"
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 200


def test_daily_limit_is_a_403_with_the_usage_header(sandbox: RunningSandbox, sf: Any) -> None:
    sandbox.control.add_fault({"system": SYSTEM, "tenant": "acme", "sequence": ["daily_limit"]})
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM Contact LIMIT 1")
    assert content(caught.value)[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    response = sf.session.get(
        f"{sandbox.tls_url}/services/data/v59.0/limits/", headers=sf.headers, timeout=10
    )
    assert response.status_code == 403
    assert response.headers["Sforce-Limit-Info"] == "api-usage=100000/100000"


def test_vendor_side_updates_send_outbound_messages(sandbox: RunningSandbox, sf: Any) -> None:
    with webhook_receiver() as receiver:
        sandbox.control.add_webhook(SYSTEM, "acme", receiver.url, events=["Contact"])
        record_id = sf.query("SELECT Id FROM Contact LIMIT 1")["records"][0]["Id"]
        sandbox.control.update(SYSTEM, "acme", "Contact", record_id, {"Title": "VP"})
        assert sandbox.control.wait_for_webhooks()
    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    assert call.headers["Content-Type"].startswith("text/xml")
    body = call.body.decode()
    assert "<OrganizationId>00D5g" in body and f"<sf:Id>{record_id}</sf:Id>" in body
    assert "<sf:Title>VP</sf:Title>" in body
