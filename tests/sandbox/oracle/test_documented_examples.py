"""The Oracle simulator answering requests written like Oracle's documented examples."""

from __future__ import annotations

import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.oracle.conftest import CRM, FSCM, SYSTEM, framework

ORDER = {  # the shape of the "Create sales orders" example of the Order Hub REST API
    "SourceTransactionNumber": "R13_Sample_Order",
    "SourceTransactionSystem": "LEG",
    "SourceTransactionId": "R13_Sample_Order",
    "BusinessUnitName": "US1 Business Unit",
    "BuyingPartyNumber": "100002",
    "TransactionType": "Standard Orders",
    "RequestedShipDate": "2025-02-01T20:49:12+00:00",
    "PaymentTerms": "30 Net",
    "TransactionalCurrencyCode": "USD",
    "RequestingBusinessUnitName": "US1 Business Unit",
    "FreezePriceFlag": False,
    "FreezeShippingChargeFlag": False,
    "FreezeTaxFlag": False,
    "SubmittedFlag": True,
    "SourceTransactionRevisionNumber": 1,
    "billToCustomer": [{"CustomerAccountId": 300000001469016, "SiteUseId": 300000001469018}],
    "shipToCustomer": [{"PartyId": 300000001469002, "SiteId": 300000001469004}],
    "lines": [
        {
            "SourceTransactionLineId": "1",
            "SourceTransactionLineNumber": "1",
            "SourceScheduleNumber": "1",
            "SourceTransactionScheduleId": "1",
            "OrderedUOMCode": "Ea",
            "OrderedQuantity": 10,
            "ProductNumber": "AS54010",
        }
    ],
}


def test_context_root_names_the_framework_versions(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    body = fusion.get(f"{sandbox.url}/fscmRestApi/resources", timeout=10).json()
    extension = body["items"][0]["adf:extension"]
    assert body["items"][0]["version"] == "11.13.18.05"
    assert extension["allowedFrameworkVersions"] == ["1", "2", "3", "4"]


def test_query_by_example_fields_and_only_data(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    answer = fusion.get(
        f"{sandbox.url}{FSCM}/itemsV2",
        params={
            "q": "ItemNumber=AS54003",
            "fields": "ItemId,ItemNumber,ItemDescription",
            "onlyData": "true",
        },
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.oracle.adf.resourcecollection+json"
    )
    body = answer.json()
    assert body["count"] == 1 and body["hasMore"] is False and body["limit"] == 25
    assert set(body["items"][0]) == {"ItemId", "ItemNumber", "ItemDescription"}
    wildcard = fusion.get(
        f"{sandbox.url}{FSCM}/itemsV2", params={"q": "ItemNumber=AS5400*"}, timeout=10
    )
    assert [i["ItemNumber"] for i in wildcard.json()["items"]] == [f"AS5400{n}" for n in range(10)]


def test_expressions_paging_and_total_results(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    params = {
        "q": "ItemNumber LIKE 'AS541%' and ItemStatusValue = 'Active'",
        "limit": "30",
        "offset": "30",
        "totalResults": "true",
        "orderBy": "ItemNumber:desc",
    }
    body = fusion.get(
        f"{sandbox.url}{FSCM}/itemsV2", params=params, headers=framework(2), timeout=10
    ).json()
    assert body["offset"] == 30 and body["limit"] == 30 and body["count"] == len(body["items"])
    assert body["totalResults"] > 30 and body["hasMore"] is (body["totalResults"] > 60)
    numbers = [i["ItemNumber"] for i in body["items"]]
    assert numbers == sorted(numbers, reverse=True) and all(n.startswith("AS541") for n in numbers)


def test_children_are_arrays_then_collections(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    url, params = f"{sandbox.url}{FSCM}/salesOrdersForOrderHub", {"limit": "1", "expand": "lines"}
    old = fusion.get(url, params=params, headers=framework(2), timeout=10).json()["items"][0]
    new = fusion.get(url, params=params, headers=framework(3), timeout=10).json()["items"][0]
    assert isinstance(old["lines"], list) and old["lines"]
    assert new["lines"]["items"] == old["lines"] and new["lines"]["hasMore"] is False


def test_item_by_self_link_with_change_indicator(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    first = fusion.get(f"{sandbox.url}{FSCM}/itemsV2", params={"limit": "1"}, timeout=10).json()[
        "items"
    ][0]
    self_link = first["links"][0]
    assert self_link["rel"] == "self" and "changeIndicator" in self_link["properties"]
    item = fusion.get(self_link["href"], timeout=10)
    assert item.json()["ItemId"] == first["ItemId"] and item.headers["ETag"]
    headers = {**framework(4), "If-Match": item.headers["ETag"], "Content-Type": "application/json"}
    changed = fusion.patch(
        self_link["href"], json={"ItemDescription": "Renamed"}, headers=headers, timeout=10
    )
    assert changed.status_code == 200 and changed.json()["ItemDescription"] == "Renamed"
    stale = fusion.patch(
        self_link["href"], json={"ItemDescription": "Again"}, headers=headers, timeout=10
    )
    assert stale.status_code == 412 and stale.json()["title"] == "Precondition Failed"
    readonly = fusion.patch(
        self_link["href"], json={"ItemNumber": "X"}, headers=framework(4), timeout=10
    )
    assert readonly.status_code == 400 and readonly.json()["o:errorCode"] == "JBO-27008"


def test_create_sales_order_then_read_and_change_a_line(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    url = f"{sandbox.url}{FSCM}/salesOrdersForOrderHub"
    created = fusion.post(url, json=ORDER, headers=framework(4), timeout=10)
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["OrderKey"] == "LEG:R13_Sample_Order" and order["StatusCode"] == "OPEN"
    line = order["lines"]["items"][0]
    assert line["ExtendedAmount"] == round(line["UnitSellingPrice"] * 10, 2)
    by_key = fusion.get(f"{url}/LEG:R13_Sample_Order", timeout=10).json()
    assert by_key["HeaderId"] == order["HeaderId"]
    lines = fusion.get(f"{url}/{order['HeaderId']}/child/lines", timeout=10).json()
    assert [row["ProductNumber"] for row in lines["items"]] == ["AS54010"]
    patched = fusion.patch(
        f"{url}/{order['HeaderId']}/child/lines/{line['FulfillLineId']}",
        json={"OrderedQuantity": 4},
        timeout=10,
    )
    assert patched.status_code == 200 and patched.json()["ExtendedAmount"] == round(
        line["UnitSellingPrice"] * 4, 2
    )
    unknown = fusion.post(
        url, json={**ORDER, "BuyingPartyNumber": "999"}, headers=framework(4), timeout=10
    )
    assert unknown.status_code == 400 and "999" in unknown.json()["detail"]


def test_accounts_create_update_delete(sandbox: RunningSandbox, fusion: requests.Session) -> None:
    url = f"{sandbox.url}{CRM}/accounts"
    made = fusion.post(
        url, json={"OrganizationName": "Pinnacle Technologies", "LoyaltyTier_c": "GOLD"}, timeout=10
    ).json()
    number = made["PartyNumber"]
    assert made["Type"] == "ZCA_CUSTOMER" and made["LoyaltyTier_c"] == "GOLD"
    fusion.patch(f"{url}/{number}", json={"City": "Austin"}, timeout=10).raise_for_status()
    assert fusion.get(f"{url}/{number}", timeout=10).json()["City"] == "Austin"
    assert fusion.delete(f"{url}/{number}", timeout=10).status_code == 204
    assert fusion.get(f"{url}/{number}", timeout=10).status_code == 404


def test_describe_lists_custom_fields_where_fusion_puts_them(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    accounts = fusion.get(f"{sandbox.url}{CRM}/accounts/describe", timeout=10).json()["Resources"][
        "accounts"
    ]
    assert "LoyaltyTier_c" in [a["name"] for a in accounts["attributes"]]
    items = fusion.get(f"{sandbox.url}{FSCM}/itemsV2/describe", timeout=10).json()["Resources"][
        "itemsV2"
    ]
    segments = [a["name"] for a in items["children"]["ItemDFF"]["attributes"]]
    assert "shelfLifeDays" in segments and "shelfLifeDays" not in [
        a["name"] for a in items["attributes"]
    ]


def test_refusals_in_each_framework_versions_format(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    items = f"{sandbox.url}{FSCM}/itemsV2"
    plain = fusion.get(items, params={"q": "Colour=red"}, timeout=10)
    assert plain.status_code == 400 and plain.headers["content-type"].startswith("text/plain")
    assert "Colour" in plain.text
    detailed = fusion.get(items, params={"q": "Colour = 'red'"}, headers=framework(4), timeout=10)
    assert detailed.headers["content-type"].startswith("application/vnd.oracle.adf.error+json")
    assert detailed.json()["o:errorDetails"][0]["o:errorPath"] == "q"
    assert fusion.get(items, params={"limit": "501"}, timeout=10).status_code == 400
    assert fusion.get(items, headers=framework(7), timeout=10).status_code == 400
    assert fusion.get(f"{sandbox.url}{FSCM}/nothingHere", timeout=10).status_code == 404
    assert requests.get(items, auth=("acme.integration", "wrong"), timeout=10).status_code == 401


def test_client_credentials_and_rate_limit_faults(sandbox: RunningSandbox) -> None:
    grant = requests.post(
        f"{sandbox.url}/oauth2/v1/token",
        data={"grant_type": "client_credentials"},
        auth=("acme-fusion-oauth-client", "acme-fusion-client-secret"),
        timeout=10,
    ).json()
    bearer = {"Authorization": f"Bearer {grant['access_token']}"}
    items = f"{sandbox.url}{FSCM}/itemsV2"
    assert requests.get(items, headers=bearer, timeout=10).status_code == 200
    sandbox.control.add_fault({"system": SYSTEM, "op": "list", "sequence": ["rate_limited"]})
    limited = requests.get(items, headers=bearer, timeout=10)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "10"
    sandbox.control.expire_tokens(SYSTEM, "acme")
    assert requests.get(items, headers=bearer, timeout=10).status_code == 401


def test_on_hand_by_its_documented_key_query(
    sandbox: RunningSandbox, fusion: requests.Session
) -> None:
    q = "OrganizationId=207;InventoryItemId=300000001000002;SubinventoryCode=FinGoods"
    rows = fusion.get(
        f"{sandbox.url}{FSCM}/onhandQuantityDetails", params={"q": q}, timeout=10
    ).json()["items"]
    assert len(rows) == 1 and rows[0]["ItemNumber"] == "AS54001" and rows[0]["LocatorId"] == 2
    one = fusion.get(rows[0]["links"][0]["href"], timeout=10).json()
    assert one["OnhandQuantity"] == rows[0]["OnhandQuantity"]
