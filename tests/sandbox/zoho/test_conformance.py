"""The Zoho simulator answers the request/response examples of Zoho's own API
documentation (the examples of Zoho's OpenAPI documents, zoho/crm-oas, and the
v2 pages) with their shape: keys, codes, statuses."""

from __future__ import annotations

import base64
import time

import orjson
import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.receiver import webhook_receiver
from tests.sandbox.zoho.conftest import GLOBEX, Zoho, client, refresh

INFO_KEYS = {
    "call", "per_page", "next_page_token", "count", "sort_by", "page",
    "page_token_expiry", "sort_order", "email", "more_records", "previous_page_token",
}  # fmt: skip
SUCCESS_DETAILS = {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}
ERROR_KEYS = {"code", "details", "message", "status"}


def test_refresh_grant_answers_like_the_accounts_server(sandbox: RunningSandbox) -> None:
    grant = refresh(sandbox).json()
    assert {"access_token", "api_domain", "token_type", "expires_in"} <= set(grant)
    assert "refresh_token" not in grant and grant["expires_in"] == 3600
    assert grant["api_domain"] == sandbox.url
    refused = refresh(sandbox, refresh_token="1000.stolen")
    assert refused.status_code == 200 and refused.json() == {"error": "invalid_code"}
    assert refresh(sandbox, client_id="1000.nobody").json() == {"error": "invalid_client"}


def test_get_records_has_the_documented_envelope(zoho: Zoho) -> None:
    page = zoho.get("Contacts", params={"per_page": 5}).json()
    assert set(page) == {"data", "info"} and set(page["info"]) == INFO_KEYS
    assert page["info"]["more_records"] is True and page["info"]["count"] == 5
    record = page["data"][0]
    assert set(record["Owner"]) == {"name", "id", "email"}
    assert set(record["Account_Name"] or {"name": 0, "id": 0}) == {"name", "id"}
    assert record["Modified_Time"].endswith("+05:30") and "." not in record["Modified_Time"]
    assert record["Full_Name"] == f"{record['First_Name']} {record['Last_Name']}"
    assert record["Loyalty_Tier"] in ("Bronze", "Silver", "Gold", "Platinum")  # acme's own field


def test_pages_switch_to_tokens_past_two_thousand(sandbox: RunningSandbox, zoho: Zoho) -> None:
    sandbox.control.set_scale("zoho", "acme", {"Contacts": 2300})
    over = zoho.get("Contacts", params={"page": 11, "per_page": 200})
    assert over.status_code == 400
    assert over.json() == {
        "code": "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "message": "You can only get the first 2000 records without using page_token param",
        "status": "error",
        "details": {"limit": 2000},
    }
    seen, params = [], {"per_page": 200, "sort_by": "Modified_Time", "sort_order": "asc"}
    while True:
        page = zoho.get("Contacts", params=params).json()
        seen += [r["id"] for r in page["data"]]
        if not page["info"]["more_records"]:
            break
        params = {"per_page": 200, "page_token": page["info"]["next_page_token"]}
    assert len(seen) == len(set(seen)) == 2300
    both = zoho.get("Contacts", params={"page": 2, "page_token": "x"})
    assert both.status_code == 400 and both.json()["code"] == "INVALID_DATA"


def test_page_tokens_stop_at_the_tenants_cap(sandbox: RunningSandbox, zoho: Zoho) -> None:
    """Zoho's 100,000 is a per-tenant knob: lowered, the token past it is refused with
    Zoho's PAGINATION_LIMIT_EXCEEDED, and a query from a later time goes on."""
    control = sandbox.control
    control.set_scale("zoho", "acme", {"Contacts": 2300})
    assert control.caps("zoho", "acme") == {"page_token": 100_000}
    try:
        control.set_caps("zoho", "acme", page_token=2200)
        params = {"per_page": 200, "page": 10, "sort_by": "Modified_Time", "sort_order": "asc"}
        tenth = zoho.get("Contacts", params=params).json()
        token = {"per_page": 200, "page_token": tenth["info"]["next_page_token"]}
        eleventh = zoho.get("Contacts", params=token).json()
        assert eleventh["info"]["count"] == 200 and eleventh["info"]["more_records"] is True
        token["page_token"] = eleventh["info"]["next_page_token"]
        refused = zoho.get("Contacts", params=token)
        assert refused.status_code == 400
        assert refused.json() == {
            "code": "PAGINATION_LIMIT_EXCEEDED",
            "message": "You can only get upto 2200 records using page_token param",
            "status": "error",
            "details": {"param_name": "page_token"},
        }
    finally:
        control.set_caps("zoho", "acme")
    assert control.caps("zoho", "acme") == {"page_token": 100_000}


def test_an_expired_page_token_is_refused(zoho: Zoho) -> None:
    token = zoho.get("Contacts", params={"per_page": 5}).json()["info"]["next_page_token"]
    state = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    stale = base64.urlsafe_b64encode(orjson.dumps({**state, "x": 1})).decode().rstrip("=")
    refused = zoho.get("Contacts", params={"page_token": stale})
    assert refused.status_code == 400 and refused.json()["code"] == "EXPIRED_VALUE"
    assert refused.json()["details"] == {
        "api_name": "page_token",
        "json_path": "$.query.page_token",
    }


def test_if_modified_since_304_204_and_only_changes(sandbox: RunningSandbox, zoho: Zoho) -> None:
    future = {"If-Modified-Since": "2030-01-01T00:00:00+05:30"}
    nothing = zoho.get("Contacts", headers=future)
    assert nothing.status_code == 304 and nothing.content == b""
    sandbox.control.set_scale("zoho", "acme", {"Deals": 0})
    assert zoho.get("Deals").status_code == 204
    since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 2))
    edited = next(sandbox.control.iter_records("zoho", "acme", "Contacts", page_size=3))
    sandbox.control.update("zoho", "acme", "Contacts", edited.id, {"Title": "Changed"})
    changed = zoho.get("Contacts", headers={"If-Modified-Since": since}).json()["data"]
    assert [r["id"] for r in changed] == [edited.id] and changed[0]["Title"] == "Changed"


def test_inserts_answer_record_by_record(sandbox: RunningSandbox, zoho: Zoho) -> None:
    one = zoho.send("POST", "Contacts", json={"data": [{"Last_Name": "Ng", "Email": "ng@x.io"}]})
    assert one.status_code == 201
    [result] = one.json()["data"]
    assert result["code"] == "SUCCESS" and result["message"] == "record added"
    assert result["status"] == "success" and set(result["details"]) == SUCCESS_DETAILS
    mixed = zoho.send("POST", "Contacts", json={"data": [{"Last_Name": "A"}, {"First_Name": "B"}]})
    assert mixed.status_code == 207
    assert mixed.json()["data"][1] == {
        "code": "MANDATORY_NOT_FOUND",
        "details": {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"},
        "message": "required field not found",
        "status": "error",
    }
    bad = zoho.send("POST", "Contacts", json={"data": [{"Last_Name": "C", "Email_Opt_Out": "no"}]})
    assert bad.status_code == 400
    assert bad.json()["data"][0]["details"]["expected_data_type"] == "boolean"
    too_many = zoho.send("POST", "Contacts", json={"data": [{"Last_Name": "x"}] * 101})
    assert too_many.status_code == 400 and too_many.json()["code"] == "LIMIT_EXCEEDED"
    stored = sandbox.control.get("zoho", "acme", "Contacts", result["details"]["id"])
    assert stored is not None and stored.fields["Email"] == "ng@x.io"


def test_update_upsert_delete_and_the_recycle_bin(sandbox: RunningSandbox, zoho: Zoho) -> None:
    record = zoho.get("Contacts", params={"per_page": 1}).json()["data"][0]
    updated = zoho.send("PUT", "Contacts", json={"data": [{"id": record["id"], "Title": "CFO"}]})
    assert updated.status_code == 200 and updated.json()["data"][0]["message"] == "record updated"
    assert updated.json()["data"][0]["details"]["Modified_Time"] > record["Modified_Time"][:4]
    upserted = zoho.send(
        "POST", "Contacts/upsert", json={"data": [{"Last_Name": "Z", "Email": record["Email"]}]}
    ).json()["data"][0]
    assert (upserted["action"], upserted["duplicate_field"]) == ("update", "Email")
    gone = zoho.send("DELETE", "Contacts", params={"ids": record["id"]})
    assert gone.json()["data"] == [
        {
            "code": "SUCCESS",
            "details": {"id": record["id"]},
            "message": "record deleted",
            "status": "success",
        }
    ]
    deleted = zoho.get("Contacts/deleted", params={"type": "all"}).json()
    assert set(deleted["info"]) == {"per_page", "count", "page", "more_records"}
    [entry] = deleted["data"]
    assert set(entry) == {"deleted_by", "id", "display_name", "type", "created_by", "deleted_time"}
    assert entry["id"] == record["id"] and entry["type"] == "recycle"
    assert zoho.get(f"Contacts/{record['id']}").status_code == 204


def test_refusals_use_zoho_error_bodies(sandbox: RunningSandbox, zoho: Zoho) -> None:
    wrong = zoho.get("Leeds")
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": "INVALID_MODULE",
        "details": {"resource_path_index": 0},
        "message": "the module name given seems to be invalid",
        "status": "error",
    }
    sandbox.control.expire_tokens("zoho", "acme")
    expired = zoho.get("Contacts")
    assert expired.status_code == 401 and set(expired.json()) == ERROR_KEYS
    assert expired.json()["code"] == "INVALID_TOKEN"
    bearer = requests.get(
        zoho.base + "/Contacts", headers={"Authorization": "Bearer x"}, timeout=10
    )
    assert bearer.status_code == 401
    assert (
        requests.get(f"{sandbox.url}/crm/v2/nothing/here/at/all", timeout=10).json()["code"]
        == "INVALID_URL_PATTERN"
    )


def test_rate_and_credit_limits_answer_429(sandbox: RunningSandbox, zoho: Zoho) -> None:
    sandbox.control.add_fault(
        {"system": "zoho", "op": "list", "sequence": ["rate_limited", "daily_limit"]}
    )
    burst = zoho.get("Contacts")
    assert burst.status_code == 429 and burst.headers["Retry-After"] == "10"
    assert (
        burst.json()["code"] == "TOO_MANY_REQUESTS" and burst.json()["details"]["retry_after"] == 10
    )
    spent = zoho.get("Contacts")
    assert spent.status_code == 429 and spent.json()["details"]["remaining"] == 0
    assert int(spent.headers["Retry-After"]) > 60


def test_fields_metadata_reports_each_orgs_custom_fields(
    sandbox: RunningSandbox, zoho: Zoho
) -> None:
    fields = zoho.get("settings/fields", params={"module": "Contacts"}).json()["fields"]
    custom = {f["api_name"]: f for f in fields if f["custom_field"]}
    assert list(custom) == ["Loyalty_Tier"] and custom["Loyalty_Tier"]["data_type"] == "picklist"
    account = next(f for f in fields if f["api_name"] == "Account_Name")
    assert account["data_type"] == "lookup" and account["lookup"]["module"] == "Accounts"
    globex = client(sandbox, GLOBEX).get("settings/fields", params={"module": "Deals"}).json()
    assert [f["api_name"] for f in globex["fields"] if f["custom_field"]] == ["Competitor"]
    missing = zoho.get("settings/fields")
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"


def test_notifications_echo_channel_and_token(sandbox: RunningSandbox, zoho: Zoho) -> None:
    with webhook_receiver() as receiver:
        watch = {
            "channel_id": 1000000068001,
            "events": ["Contacts.all"],
            "notify_url": receiver.url,
            "token": "tp-verify",
        }
        enabled = zoho.send("POST", "actions/watch", json={"watch": [watch]}).json()["watch"][0]
        assert (
            enabled["code"] == "SUCCESS"
            and enabled["details"]["events"][0]["resource_name"] == "Contacts"
        )
        created = zoho.send("POST", "Contacts", json={"data": [{"Last_Name": "Hook"}]}).json()
        assert sandbox.control.wait_for_webhooks()
        body = orjson.loads(receiver.calls[-1].body)
        assert body["operation"] == "insert" and body["module"] == "Contacts"
        assert body["ids"] == [created["data"][0]["details"]["id"]]
        assert (body["token"], body["channel_id"]) == ("tp-verify", 1000000068001)


def test_search_records_as_documented(sandbox: RunningSandbox, zoho: Zoho) -> None:
    """Zoho's Search Records examples: criteria with equals/starts_with joined by and/or
    (a backslash escapes a comma), email, word; none found is a 204; not a record id."""
    for first, last, email in (
        ("Mia", "Burns,B", "mia.burns@example.com"),
        ("Max", "Burns,B", "max.burns@example.com"),
        ("Mia", "Other", "mia.other@example.com"),
    ):
        sandbox.control.create(
            "zoho", "acme", "Contacts", {"First_Name": first, "Last_Name": last, "Email": email}
        )
    found = zoho.get(
        "Contacts/search",
        params={"criteria": r"((Last_Name:equals:Burns\,B)and(First_Name:starts_with:M))"},
    )
    assert found.status_code == 200 and set(found.json()) == {"data", "info"}
    assert sorted(r["Email"] for r in found.json()["data"]) == [
        "max.burns@example.com",
        "mia.burns@example.com",
    ]
    assert set(found.json()["info"]) == {"per_page", "count", "page", "more_records"}
    either = zoho.get(
        "Contacts/search", params={"criteria": "(Last_Name:equals:Other)or(First_Name:equals:max)"}
    ).json()["data"]
    assert sorted(r["First_Name"] for r in either) == ["Max", "Mia"]
    by_email = zoho.get("Contacts/search", params={"email": "MIA.OTHER@example.com"}).json()
    assert [r["Last_Name"] for r in by_email["data"]] == ["Other"]
    assert len(zoho.get("Contacts/search", params={"word": "burns"}).json()["data"]) >= 2
    assert zoho.get("Contacts/search", params={"email": "nobody@example.com"}).status_code == 204
    bad = zoho.get("Contacts/search", params={"criteria": "(Last_Name:like:Burns)"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_QUERY"
    unclosed = zoho.get("Contacts/search", params={"criteria": "((Last_Name:equals:Burns)"})
    assert unclosed.status_code == 400 and unclosed.json()["code"] == "INVALID_QUERY"
    assert zoho.get("Contacts/search").json()["code"] == "INVALID_DATA"
