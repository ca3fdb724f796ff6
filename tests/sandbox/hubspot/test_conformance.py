"""The HubSpot simulator driven through hubspot-api-client (and raw HTTP where the
client hides what we check: headers, status codes)."""

from __future__ import annotations

import time
from typing import Any

import hubspot
import pytest
import requests
from hubspot.crm.companies.exceptions import ApiException as CompaniesError
from hubspot.crm.contacts.exceptions import ApiException as ContactsError
from hubspot.crm.deals.exceptions import ApiException as DealsError
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.utils.signature import Signature

from sandbox.control import SandboxControlError
from sandbox.testing import RunningSandbox
from tests.sandbox.receiver import webhook_receiver

SYSTEM = "hubspot"
TOKEN = "pat-na1-acme0000-0000-4000-8000-000000000001"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Each generated sub-client has its own exception classes.
ApiException = (ContactsError, CompaniesError, DealsError)


@pytest.fixture
def client(sandbox: RunningSandbox) -> Any:
    sandbox.control.reset(SYSTEM, "acme")
    return hubspot.Client.create(access_token=TOKEN, host=sandbox.url)


def test_get_all_pages_by_100_with_after_cursors(sandbox: RunningSandbox, client: Any) -> None:
    sandbox.control.reset_stats()
    contacts = client.crm.contacts.get_all(properties=["email", "loyalty_tier"])
    assert len(contacts) == 500 == len({c.id for c in contacts})
    assert contacts[0].properties["loyalty_tier"] in ("bronze", "silver", "gold", "platinum")
    assert contacts[0].properties["email"].endswith(".example.com")
    lists = [r for r in sandbox.control.stats(system=SYSTEM)["requests"] if r["method"] == "GET"]
    assert sum(r["count"] for r in lists) == 5
    assert sandbox.control.records_served(SYSTEM, "acme", "contacts") == 500


def test_defaults_unknown_properties_and_page_size_limit(
    sandbox: RunningSandbox, client: Any
) -> None:
    page = client.crm.deals.basic_api.get_page(limit=2)
    assert set(page.results[0].properties) >= {
        "dealname",
        "amount",
        "dealstage",
        "hs_lastmodifieddate",
    }
    ignored = client.crm.contacts.basic_api.get_page(
        limit=1, properties=["firstname", "no_such_prop"]
    )
    assert "no_such_prop" not in ignored.results[0].properties
    response = requests.get(
        f"{sandbox.url}/crm/v3/objects/contacts?limit=101", headers=AUTH, timeout=10
    )
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"
    assert response.headers["X-HubSpot-RateLimit-Max"] == "190"
    unknown = requests.get(f"{sandbox.url}/crm/v3/objects/spaceships", headers=AUTH, timeout=10)
    assert unknown.status_code == 400 and "spaceships" in unknown.json()["message"]


def test_create_update_get_archive(sandbox: RunningSandbox, client: Any) -> None:
    api = client.crm.contacts.basic_api
    created = api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
            properties={"email": "ana.ng@example.com", "firstname": "Ana", "loyalty_tier": "gold"}
        )
    )
    assert created.properties["email"] == "ana.ng@example.com" and created.archived is False
    updated = api.update(
        created.id,
        simple_public_object_input=SimplePublicObjectInput(properties={"lastname": "Ng"}),
    )
    assert updated.updated_at >= created.updated_at and updated.properties["lastname"] == "Ng"
    by_email = api.get_by_id("ana.ng@example.com", id_property="email", properties=["lastname"])
    assert by_email.id == created.id
    with pytest.raises(ApiException) as conflict:
        api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"email": "ana.ng@example.com"}
            )
        )
    assert conflict.value.status == 409
    api.archive(created.id)
    with pytest.raises(ApiException) as gone:
        api.get_by_id(created.id)
    assert gone.value.status == 404 and '"category":"OBJECT_NOT_FOUND"' in gone.value.body
    archived = api.get_page(archived=True)
    assert [r.id for r in archived.results] == [created.id] and archived.results[0].archived is True


def test_invalid_property_values_get_hubspot_validation_errors(client: Any) -> None:
    api = client.crm.deals.basic_api
    with pytest.raises(ApiException) as caught:
        api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"dealstage": "won-ish", "amount": "lots"}
            )
        )
    assert caught.value.status == 400
    assert "INVALID_OPTION" in caught.value.body and "is not a valid number" in caught.value.body


def test_incremental_search_returns_only_changed_records(
    sandbox: RunningSandbox, client: Any
) -> None:
    since = int(time.time() * 1000) - 1
    ids = [r.id for r in client.crm.companies.basic_api.get_page(limit=3).results]
    for record_id in ids:
        sandbox.control.update(SYSTEM, "acme", "companies", record_id, {"name": "Changed Co"})
    sandbox.control.reset_stats()
    request = PublicObjectSearchRequest(
        filter_groups=[
            {
                "filters": [
                    {"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": str(since)}
                ]
            }
        ],
        sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        properties=["name"],
        limit=100,
    )
    found = client.crm.companies.search_api.do_search(public_object_search_request=request)
    assert found.total == 3 and [r.id for r in found.results] == ids and found.paging is None
    assert sandbox.control.records_served(SYSTEM, "acme", "companies") == 3


def test_search_cap_and_the_object_id_workaround(sandbox: RunningSandbox, client: Any) -> None:
    sandbox.control.set_scale(SYSTEM, "acme", {"contacts": 10_500})
    url = f"{sandbox.url}/crm/v3/objects/contacts/search"
    near = requests.post(url, json={"limit": 200, "after": "9900"}, headers=AUTH, timeout=10).json()
    assert near["total"] == 10_500 and len(near["results"]) == 100
    assert near["paging"]["next"]["after"] == "10000"
    beyond = requests.post(url, json={"limit": 100, "after": "10000"}, headers=AUTH, timeout=10)
    assert beyond.status_code == 400 and beyond.json()["category"] == "VALIDATION_ERROR"
    last = near["results"][-1]["id"]
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_object_id", "operator": "GT", "value": last}]}
        ],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "limit": 200,
    }
    rest = requests.post(url, json=body, headers=AUTH, timeout=10).json()
    assert rest["total"] == 500 and int(rest["results"][0]["id"]) == int(last) + 1
    with pytest.raises(ApiException) as too_big:
        client.crm.contacts.search_api.do_search(
            public_object_search_request=PublicObjectSearchRequest(limit=201)
        )
    assert too_big.value.status == 400


def test_a_lowered_search_cap_is_refused_the_same_way(sandbox: RunningSandbox, client: Any) -> None:
    """The cap is a per-tenant knob so proofs can reproduce a catch-up past it with a few
    hundred records; the other portal keeps HubSpot's 10,000, and a reset restores it."""
    control, url = sandbox.control, f"{sandbox.url}/crm/v3/objects/contacts/search"
    assert control.caps(SYSTEM, "acme") == {"search": 10_000}
    assert control.set_caps(SYSTEM, "acme", search=150) == {"search": 150}
    near = requests.post(url, json={"limit": 200, "after": "100"}, headers=AUTH, timeout=10).json()
    assert len(near["results"]) == 50 and near["paging"]["next"]["after"] == "150"
    beyond = requests.post(url, json={"limit": 10, "after": "150"}, headers=AUTH, timeout=10)
    assert beyond.status_code == 400 and beyond.json()["category"] == "VALIDATION_ERROR"
    assert "maximum number of results that can be returned is 150" in beyond.json()["message"]
    assert control.caps(SYSTEM, "globex") == {"search": 10_000}
    with pytest.raises(SandboxControlError, match="unknown cap 'list'"):
        control.set_caps(SYSTEM, "acme", list=5)
    with pytest.raises(SandboxControlError, match="at least 1"):
        control.set_caps(SYSTEM, "acme", search=0)
    control.reset(SYSTEM, "acme")
    assert control.caps(SYSTEM, "acme") == {"search": 10_000}


def test_batch_endpoints(client: Any) -> None:
    batch = client.crm.contacts.batch_api
    created = batch.create(
        batch_input_simple_public_object_batch_input_for_create=BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                {"properties": {"email": f"b{i}@example.com", "firstname": f"B{i}"}}
                for i in range(3)
            ]
        )
    )
    ids = [r.id for r in created.results]
    assert len(ids) == 3 and created.status == "COMPLETE"
    read = batch.read(
        batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
            properties=["firstname"], inputs=[{"id": i} for i in [*ids, "999"]]
        )
    )
    assert sorted(r.id for r in read.results) == sorted(ids) and read.num_errors == 1
    updated = batch.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
            inputs=[{"id": ids[0], "properties": {"lastname": "Batch"}}]
        )
    )
    assert updated.results[0].properties["lastname"] == "Batch"
    upserted = batch.upsert(
        batch_input_simple_public_object_batch_input_upsert=BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                {"id": "b0@example.com", "idProperty": "email", "properties": {"jobtitle": "CFO"}},
                {"id": "new@example.com", "idProperty": "email", "properties": {"jobtitle": "CTO"}},
            ]
        )
    )
    assert sorted(r.new for r in upserted.results) == [False, True]
    batch.archive(batch_input_simple_public_object_id={"inputs": [{"id": ids[1]}]})
    with pytest.raises(ApiException):
        client.crm.contacts.basic_api.get_by_id(ids[1])


def test_properties_api_reports_each_portals_custom_properties(
    sandbox: RunningSandbox, client: Any
) -> None:
    acme = {p.name: p for p in client.crm.properties.core_api.get_all("contacts").results}
    assert (
        acme["loyalty_tier"].hubspot_defined is False and acme["loyalty_tier"].type == "enumeration"
    )
    assert acme["email"].hubspot_defined is True
    globex = hubspot.Client.create(
        access_token="pat-eu1-globex00-0000-4000-8000-000000000002", host=sandbox.url
    )
    names = {p.name for p in globex.crm.properties.core_api.get_all("contacts").results}
    assert "preferred_channel" in names and "loyalty_tier" not in names


def test_oauth_refresh_and_expiry(sandbox: RunningSandbox) -> None:
    oauth = hubspot.Client.create(host=sandbox.url)
    tokens = oauth.oauth.tokens_api.create(
        grant_type="refresh_token",
        client_id="acme0000-hubspot-app-client-id",
        client_secret="acme-hubspot-client-secret",
        refresh_token="na1-acme-hubspot-refresh-token",
    )
    assert tokens.expires_in == 1800 and tokens.refresh_token == "na1-acme-hubspot-refresh-token"
    client = hubspot.Client.create(access_token=tokens.access_token, host=sandbox.url)
    assert client.crm.contacts.basic_api.get_page(limit=1).results
    sandbox.control.expire_tokens(SYSTEM, "acme")
    with pytest.raises(ApiException) as expired:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert expired.value.status == 401 and "EXPIRED_AUTHENTICATION" in expired.value.body
    bad = requests.post(
        f"{sandbox.url}/oauth/v1/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "acme0000-hubspot-app-client-id",
            "client_secret": "acme-hubspot-client-secret",
            "refresh_token": "nope",
        },
        timeout=10,
    )
    assert bad.status_code == 400 and bad.json()["status"] == "BAD_REFRESH_TOKEN"


def test_enforced_ten_second_limit_returns_hubspot_429(sandbox: RunningSandbox) -> None:
    sandbox.control.set_limits(SYSTEM, "globex", interval_max=2, enforce=True)
    try:
        headers = {"Authorization": "Bearer pat-eu1-globex00-0000-4000-8000-000000000002"}
        url = f"{sandbox.url}/crm/v3/objects/deals?limit=1"
        responses = [requests.get(url, headers=headers, timeout=10) for _ in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 429]
        refused = responses[-1]
        assert (
            refused.json()["policyName"] == "TEN_SECONDLY_ROLLING"
            and refused.json()["errorType"] == "RATE_LIMIT"
        )
        assert (
            int(refused.headers["Retry-After"]) >= 1
            and refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        )
    finally:
        sandbox.control.reset(SYSTEM, "globex")


def test_webhooks_are_signed_with_v3(sandbox: RunningSandbox, client: Any) -> None:
    with webhook_receiver() as receiver:
        sandbox.control.add_webhook(
            SYSTEM, "acme", receiver.url, events=["contact.propertyChange", "contact.creation"]
        )
        record = client.crm.contacts.basic_api.get_page(limit=1).results[0]
        sandbox.control.update(
            SYSTEM, "acme", "contacts", record.id, {"firstname": "Zed", "jobtitle": "CEO"}
        )
        assert sandbox.control.wait_for_webhooks()
    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    assert Signature.is_valid(
        signature=call.headers["X-HubSpot-Signature-v3"],
        client_secret="acme-hubspot-client-secret",
        request_body=call.body.decode(),
        http_uri=receiver.url,
        http_method="POST",
        signature_version="v3",
        timestamp=call.headers["X-HubSpot-Request-Timestamp"],
    )
    import json

    events = json.loads(call.body)
    assert {(e["propertyName"], e["propertyValue"]) for e in events} == {
        ("firstname", "Zed"),
        ("jobtitle", "CEO"),
    }
    assert all(
        e["subscriptionType"] == "contact.propertyChange" and e["portalId"] == 20000001
        for e in events
    )


def test_token_expiring_mid_pagination_then_refresh_continues(sandbox: RunningSandbox) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": "acme0000-hubspot-app-client-id",
        "client_secret": "acme-hubspot-client-secret",
        "refresh_token": "na1-acme-hubspot-refresh-token",
    }
    token = requests.post(f"{sandbox.url}/oauth/v1/token", data=form, timeout=10).json()[
        "access_token"
    ]
    url = f"{sandbox.url}/crm/v3/objects/contacts"
    first = requests.get(
        url, params={"limit": 100}, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    after = first["paging"]["next"]["after"]
    sandbox.control.add_fault({"system": SYSTEM, "op": "list", "sequence": ["token_expired"]})
    expired = requests.get(
        url,
        params={"limit": 100, "after": after},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert expired.status_code == 401 and expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    fresh = requests.post(f"{sandbox.url}/oauth/v1/token", data=form, timeout=10).json()[
        "access_token"
    ]
    second = requests.get(
        url,
        params={"limit": 100, "after": after},
        headers={"Authorization": f"Bearer {fresh}"},
        timeout=10,
    ).json()
    assert second["results"][0]["id"] == after
