"""The SAP simulator's protocol edges over plain HTTP: CSRF, OAuth, errors, faults, events."""

from __future__ import annotations

import json

import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.receiver import webhook_receiver
from tests.sandbox.sap.conftest import ACME, ROOT, SYSTEM, basic_session, with_csrf

PRODUCTS = f"{ROOT}/API_PRODUCT_SRV/A_Product"
JSON = {"Accept": "application/json"}


def test_writes_without_the_csrf_token_are_refused(sandbox: RunningSandbox) -> None:
    session = basic_session()
    refused = session.post(sandbox.url + PRODUCTS, json={"ProductType": "FERT"}, headers=JSON)
    assert refused.status_code == 403
    assert refused.headers["x-csrf-token"] == "Required"
    assert refused.text == "CSRF token validation failed"
    with_csrf(session, f"{sandbox.url}{ROOT}/API_PRODUCT_SRV/")
    cookieless = requests.post(
        sandbox.url + PRODUCTS,
        json={"ProductType": "FERT"},
        headers={**JSON, "x-csrf-token": session.headers["x-csrf-token"]},
        auth=ACME,
        timeout=10,
    )
    assert cookieless.status_code == 403  # the token belongs to the session cookie
    created = session.post(sandbox.url + PRODUCTS, json={"ProductType": "FERT"}, headers=JSON)
    assert created.status_code == 201 and created.headers["location"].endswith("')")


def test_client_credentials_token_then_bearer_calls(sandbox: RunningSandbox) -> None:
    url = sandbox.url + "/sap/bc/sec/oauth2/token"
    refused = requests.post(
        url, data={"grant_type": "client_credentials"}, auth=("x", "y"), timeout=10
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    grant = requests.post(
        url,
        data={"grant_type": "client_credentials"},
        auth=("TOOTHPICK_ACME_OAUTH", "Acme-S4HC-Comm-Password-1"),
        timeout=10,
    ).json()
    assert grant["token_type"] == "Bearer" and grant["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {grant['access_token']}", **JSON}
    page = requests.get(sandbox.url + PRODUCTS, params={"$top": 1}, headers=bearer, timeout=10)
    assert page.status_code == 200 and len(page.json()["d"]["results"]) == 1
    sandbox.control.expire_tokens(SYSTEM, "acme")
    expired = requests.get(sandbox.url + PRODUCTS, params={"$top": 1}, headers=bearer, timeout=10)
    assert expired.status_code == 401


def test_wrong_password_and_unknown_service(sandbox: RunningSandbox) -> None:
    wrong = requests.get(sandbox.url + PRODUCTS, auth=("TOOTHPICK_ACME_COMM", "nope"), timeout=10)
    assert wrong.status_code == 401 and "Basic realm" in wrong.headers["www-authenticate"]
    missing = basic_session().get(f"{sandbox.url}{ROOT}/API_NOPE_SRV/A_Nope", headers=JSON)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "/IWFND/MED/170"


def test_select_and_merge_tunnelled_over_post(sandbox: RunningSandbox) -> None:
    sandbox.control.reset(SYSTEM, "acme")
    session = with_csrf(basic_session(), f"{sandbox.url}{ROOT}/API_PRODUCT_SRV/")
    picked = session.get(
        sandbox.url + PRODUCTS,
        params={"$top": "1", "$select": "Product,ProductGroup"},
        headers=JSON,
    ).json()["d"]["results"][0]
    assert set(picked) == {"__metadata", "Product", "ProductGroup"}
    merged = session.post(
        f"{sandbox.url}{PRODUCTS}('TG000001')",
        json={"ProductGroup": "L009"},
        headers={**JSON, "X-HTTP-Method": "MERGE", "If-Match": "*"},
    )
    assert merged.status_code == 204 and merged.headers["etag"].startswith("W/")
    truth = sandbox.control.get(SYSTEM, "acme", "A_Product", "TG000001")
    assert truth is not None and truth.fields["ProductGroup"] == "L009"
    nested = session.patch(
        f"{sandbox.url}{PRODUCTS}('TG000001')",
        json={"to_Description": [{"Language": "EN", "ProductDescription": "x"}]},
        headers={**JSON, "If-Match": "*"},
    )
    assert nested.status_code == 400  # Gateway has no deep update


def test_faults_answer_as_sap_api_management_and_the_web_dispatcher(
    sandbox: RunningSandbox,
) -> None:
    sandbox.control.add_fault(
        {"system": SYSTEM, "op": "list", "sequence": [
            "rate_limited", {"kind": "server_error", "status": 503}, "daily_limit"]}
    )  # fmt: skip
    session = basic_session()
    spike = session.get(sandbox.url + PRODUCTS, headers=JSON)
    assert spike.status_code == 429 and "Retry-After" not in spike.headers
    assert spike.json()["fault"]["detail"]["errorcode"].endswith("SpikeArrestViolation")
    unavailable = session.get(sandbox.url + PRODUCTS, headers=JSON)
    assert unavailable.status_code == 503 and "text/html" in unavailable.headers["content-type"]
    quota = session.get(sandbox.url + PRODUCTS, headers=JSON)
    assert quota.json()["fault"]["detail"]["errorcode"].endswith("QuotaViolation")
    assert session.get(sandbox.url + PRODUCTS, headers=JSON).status_code == 429  # until reset
    sandbox.control.reset(SYSTEM, "acme")


def test_changes_are_published_as_cloud_events(sandbox: RunningSandbox) -> None:
    with webhook_receiver() as receiver:
        sandbox.control.add_webhook(SYSTEM, "acme", receiver.url, secret="hook-secret")
        sandbox.control.update(
            SYSTEM, "acme", "A_SalesOrder", "5000002", {"ShippingCondition": "02"}
        )
        sandbox.control.update(SYSTEM, "acme", "A_MatlStkInAcctMod", "TG000001_1710_171A_01",
                               {"MatlWrhsStkQtyInMatlBaseUnit": "1.00000000000000"})  # fmt: skip
        assert sandbox.control.wait_for_webhooks()
    [call] = receiver.calls  # stock changes have no business event
    event = json.loads(call.body)
    assert call.headers["Content-Type"] == "application/cloudevents+json"
    assert call.headers["Authorization"].startswith("Basic ")
    assert event["type"] == "sap.s4.beh.salesorder.v1.SalesOrder.Changed.v1"
    assert event["specversion"] == "1.0" and event["data"] == {"SalesOrder": "5000002"}
    assert event["source"] == "/default/sap.s4.beh/300001"


def test_a_client_supplied_product_number_is_kept(sandbox: RunningSandbox) -> None:
    """The Product Master API numbers products externally: the number sent is the key."""
    sandbox.control.reset(SYSTEM, "acme")
    session = with_csrf(basic_session(), f"{sandbox.url}{ROOT}/API_PRODUCT_SRV/")
    body = {"Product": "tp-widget-7", "ProductType": "FERT"}
    created = session.post(sandbox.url + PRODUCTS, json=body, headers=JSON)
    assert created.status_code == 201, created.text
    assert created.json()["d"]["Product"] == "TP-WIDGET-7"
    assert created.headers["location"].endswith("A_Product('TP-WIDGET-7')")
    assert session.get(f"{sandbox.url}{PRODUCTS}('TP-WIDGET-7')", headers=JSON).status_code == 200
    taken = session.post(sandbox.url + PRODUCTS, json=body, headers=JSON)
    assert taken.status_code == 400 and taken.json()["error"]["code"] == "MM_PRODUCT/010"
    internal = session.post(sandbox.url + PRODUCTS, json={"ProductType": "FERT"}, headers=JSON)
    assert internal.json()["d"]["Product"].startswith("TG")  # none sent: numbered internally
