"""The Pipedrive simulator answers with the shapes of Pipedrive's own documentation
(its API reference and the models of its official clients, pipedrive/client-php
and client-nodejs): v2 items, cursors, v1 pagination, rate-limit headers,
errors, OAuth, recents and webhooks."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
import requests

from sandbox.testing import RunningSandbox
from tests.sandbox.receiver import webhook_receiver

TOKEN = "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0"
HEADERS = {"x-api-token": TOKEN}
PERSON_KEYS = {
    "id", "name", "first_name", "last_name", "owner_id", "org_id", "add_time", "update_time",
    "emails", "phones", "is_deleted", "visible_to", "label_ids", "picture_id", "custom_fields",
}  # fmt: skip
DEAL_KEYS = {
    "id", "title", "owner_id", "person_id", "org_id", "pipeline_id", "stage_id", "value",
    "currency", "add_time", "update_time", "stage_change_time", "is_deleted", "is_archived",
    "status", "probability", "lost_reason", "visible_to", "close_time", "won_time", "lost_time",
    "expected_close_date", "label_ids", "origin", "custom_fields",
}  # fmt: skip


@pytest.fixture
def api(sandbox: RunningSandbox) -> str:
    sandbox.control.reset("pipedrive", "acme", scale={"persons": 1200, "deals": 40, "users": 4})
    return f"{sandbox.url}/api"


def get(url: str, **params: Any) -> requests.Response:
    return requests.get(url, params=params, headers=HEADERS, timeout=30)


def test_v2_lists_page_with_next_cursor(api: str) -> None:
    first = get(f"{api}/v2/persons", limit=500)
    body = first.json()
    assert set(body) == {"success", "data", "additional_data"} and body["success"] is True
    assert set(body["data"][0]) >= PERSON_KEYS and isinstance(body["data"][0]["id"], int)
    assert set(body["data"][0]["emails"][0]) == {"value", "primary", "label"}
    # acme's "Loyalty tier" and the hub's "ToothPick id" correlation field, by hash key
    assert len(body["data"][0]["custom_fields"]) == 2
    assert len(next(iter(body["data"][0]["custom_fields"]))) == 40
    seen, cursor = [p["id"] for p in body["data"]], body["additional_data"]["next_cursor"]
    while cursor:
        page = get(f"{api}/v2/persons", limit=500, cursor=cursor).json()
        seen += [p["id"] for p in page["data"]]
        cursor = page["additional_data"]["next_cursor"]
    assert len(seen) == len(set(seen)) == 1200
    assert get(f"{api}/v2/persons", limit=501).status_code == 400
    assert get(f"{api}/v2/persons", cursor="forged").json()["success"] is False


def test_rate_limit_headers_as_documented(api: str) -> None:
    headers = get(f"{api}/v2/deals", limit=1).headers
    assert headers["x-ratelimit-limit"] == "80" and headers["x-ratelimit-reset"] == "2"
    assert int(headers["x-ratelimit-remaining"]) < 80
    assert int(headers["x-daily-requests-left"]) > 0
    assert set(get(f"{api}/v2/deals", limit=1).json()["data"][0]) >= DEAL_KEYS


def test_updated_since_is_inclusive_and_sorts_by_update_time(
    sandbox: RunningSandbox, api: str
) -> None:
    edited = next(sandbox.control.iter_records("pipedrive", "acme", "persons", page_size=2))
    sandbox.control.update("pipedrive", "acme", "persons", edited.id, {"job_title": "Buyer"})
    changed = get(f"{api}/v2/persons", sort_by="update_time", sort_direction="desc", limit=1).json()
    stamp = changed["data"][0]["update_time"]
    assert changed["data"][0]["id"] == int(edited.id) and stamp.endswith("Z")
    since = get(f"{api}/v2/persons", updated_since=stamp).json()["data"]
    assert [p["id"] for p in since] == [int(edited.id)]


def test_writes_v2_post_patch_delete(sandbox: RunningSandbox, api: str) -> None:
    made = requests.post(
        f"{api}/v2/persons",
        headers=HEADERS,
        json={"name": "Ana Maria Ng", "emails": ["a@x.io"]},
        timeout=10,
    )
    person = made.json()["data"]
    assert (person["first_name"], person["last_name"]) == ("Ana", "Maria Ng")
    assert person["emails"] == [{"value": "a@x.io", "primary": True, "label": "work"}]
    patched = requests.patch(
        f"{api}/v2/persons/{person['id']}", headers=HEADERS, json={"job_title": "CFO"}, timeout=10
    )
    assert patched.json()["data"]["job_title"] == "CFO"
    assert patched.json()["data"]["update_time"] >= person["update_time"]
    refused = requests.patch(
        f"{api}/v2/persons/{person['id']}", headers=HEADERS, json={"first_name": "x"}, timeout=10
    )
    assert refused.status_code == 400 and refused.json()["success"] is False
    assert (
        requests.put(
            f"{api}/v2/persons/{person['id']}", headers=HEADERS, json={}, timeout=10
        ).status_code
        == 405
    )
    deleted = requests.delete(
        f"{api}/v2/persons/{person['id']}", headers=HEADERS, timeout=10
    ).json()
    assert deleted == {"success": True, "data": {"id": person["id"]}}
    missing = get(f"{api}/v2/persons/{person['id']}")
    assert missing.status_code == 404 and missing.json()["error"] == "Person not found"
    deal = requests.post(
        f"{api}/v2/deals", headers=HEADERS, json={"title": "D", "stage_id": 7}, timeout=10
    ).json()["data"]
    assert (deal["pipeline_id"], deal["status"]) == (2, "open")
    requests.delete(f"{api}/v2/deals/{deal['id']}", headers=HEADERS, timeout=10)
    gone = get(f"{api}/v2/deals", status="deleted").json()["data"]
    assert [d["id"] for d in gone] == [deal["id"]] and gone[0]["is_deleted"] is True


def test_recents_show_deletions_and_v1_pagination(sandbox: RunningSandbox, api: str) -> None:
    person = requests.post(
        f"{api}/v2/persons", headers=HEADERS, json={"name": "Gone Soon"}, timeout=10
    ).json()["data"]
    requests.delete(f"{api}/v2/persons/{person['id']}", headers=HEADERS, timeout=10)
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))
    recent = get(f"{api}/v1/recents", since_timestamp=since, items="person").json()
    assert set(recent["additional_data"]) == {
        "since_timestamp",
        "last_timestamp_on_page",
        "pagination",
    }
    assert set(recent["additional_data"]["pagination"]) == {
        "start",
        "limit",
        "more_items_in_collection",
    }
    [item] = recent["data"]
    assert (item["item"], item["id"], item["data"]["active_flag"]) == (
        "person",
        person["id"],
        False,
    )
    leads = get(f"{api}/v1/leads", limit=5).json()["additional_data"]["pagination"]
    assert leads["more_items_in_collection"] is True and leads["next_start"] == 5


def test_fields_endpoints_v1_and_v2(api: str) -> None:
    v2 = get(f"{api}/v2/personFields").json()["data"]
    assert set(v2[0]) == {
        "field_name", "field_code", "field_type", "options", "subfields", "is_custom_field",
        "is_optional_response_field", "ui_visibility", "important_fields", "required_fields",
    }  # fmt: skip
    custom = [f for f in v2 if f["is_custom_field"]]
    assert [f["field_name"] for f in custom] == ["Loyalty tier", "ToothPick id"] and len(
        custom[0]["field_code"]
    ) == 40
    v1 = get(f"{api}/v1/dealFields").json()
    assert {"id", "key", "name", "field_type", "edit_flag", "options"} <= set(v1["data"][0])
    assert [f["name"] for f in v1["data"] if f["edit_flag"]] == ["Discount percent", "ToothPick id"]


def test_refusals_and_limits(sandbox: RunningSandbox, api: str) -> None:
    nope = requests.get(f"{api}/v2/persons", params={"api_token": "nope"}, timeout=10)
    assert nope.status_code == 401
    assert {
        "success": False,
        "error": "unauthorized access",
        "errorCode": 401,
    }.items() <= nope.json().items()
    sandbox.control.add_fault(
        {"system": "pipedrive", "op": "list", "sequence": ["rate_limited", "daily_limit"]}
    )
    burst = get(f"{api}/v2/persons")
    assert burst.status_code == 429 and burst.headers["Retry-After"] == "10"
    assert burst.json()["error"] == "Request over limit"
    spent = get(f"{api}/v2/persons")
    assert spent.status_code == 429 and spent.headers["x-daily-requests-left"] == "0"


def test_oauth_refresh_with_basic_client_auth(sandbox: RunningSandbox, api: str) -> None:
    client = ("b4f1e2a3c5d6e7f8", "acme-pipedrive-client-secret")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "1234567:8901:acme.pipedrive.sandbox.refresh",
    }
    grant = requests.post(f"{sandbox.url}/oauth/token", auth=client, data=form, timeout=10).json()
    assert {
        "access_token",
        "token_type",
        "refresh_token",
        "scope",
        "expires_in",
        "api_domain",
    } <= set(grant)
    bearer = {"Authorization": f"Bearer {grant['access_token']}"}
    assert (
        requests.get(f"{grant['api_domain']}/api/v2/deals", headers=bearer, timeout=10).status_code
        == 200
    )
    wrong = requests.post(
        f"{sandbox.url}/oauth/token", auth=(client[0], "x"), data=form, timeout=10
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    stale = requests.post(
        f"{sandbox.url}/oauth/token", auth=client, data={**form, "refresh_token": "x"}, timeout=10
    )
    assert stale.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_webhooks_in_both_versions(sandbox: RunningSandbox, api: str, version: str) -> None:
    with webhook_receiver() as receiver:
        hook = {"subscription_url": receiver.url, "event_action": "*", "event_object": "person"}
        hook.update(version=version, http_auth_user="hub", http_auth_password="s3cret")
        made = requests.post(f"{api}/v1/webhooks", headers=HEADERS, json=hook, timeout=10)
        assert made.status_code == 201 and made.json()["data"]["version"] == version
        person = requests.post(
            f"{api}/v2/persons", headers=HEADERS, json={"name": "Web Hook"}, timeout=10
        ).json()["data"]
        requests.patch(
            f"{api}/v2/persons/{person['id']}", headers=HEADERS, json={"job_title": "X"}, timeout=10
        )
        assert sandbox.control.wait_for_webhooks()
        [created, changed] = [orjson.loads(c.body) for c in receiver.calls]
        assert receiver.calls[0].headers["Authorization"].startswith("Basic ")
        if version == "2.0":
            assert (
                set(created) == {"data", "previous", "meta"}
                and created["meta"]["action"] == "create"
            )
            assert changed["meta"]["action"] == "change" and changed["previous"] == {
                "job_title": None
            }
            assert changed["data"]["job_title"] == "X" and changed["meta"]["entity"] == "person"
        else:
            assert {"v", "matches_filters", "meta", "current", "previous", "event", "retry"} <= set(
                changed
            )
            assert (
                changed["event"] == "updated.person" and changed["current"]["active_flag"] is True
            )


def test_recents_label_each_record_with_its_own_type(sandbox: RunningSandbox, api: str) -> None:
    """Several `items` (or none: every type) interleave by change time, each record under
    its own type and rendered with that type's fields."""
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))
    person = requests.post(
        f"{api}/v2/persons", headers=HEADERS, json={"name": "Recent Person"}, timeout=10
    ).json()["data"]
    deal = requests.post(
        f"{api}/v2/deals", headers=HEADERS, json={"title": "Recent Deal"}, timeout=10
    ).json()["data"]
    for items in ({"items": "person,deal"}, {"items": "deal,person"}, {}):
        data = get(f"{api}/v1/recents", since_timestamp=since, **items).json()["data"]
        found = {(entry["item"], entry["id"]): entry["data"] for entry in data}
        assert found[("person", person["id"])]["name"] == "Recent Person", items
        assert found[("deal", deal["id"])]["title"] == "Recent Deal", items


def test_v1_is_also_served_at_the_api_hosts_root(sandbox: RunningSandbox, api: str) -> None:
    """Pipedrive's clients call `https://api.pipedrive.com/v1/...` for the v1 endpoints."""
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))
    rooted = get(f"{sandbox.url}/v1/recents", since_timestamp=since, items="person")
    assert rooted.status_code == 200 and rooted.json()["success"] is True
    assert get(f"{sandbox.url}/v1/leads", limit=1).json()["success"] is True
    missing = get(f"{sandbox.url}/v1/no-such-endpoint")
    assert missing.status_code == 404
    assert missing.json() == get(f"{api}/v1/no-such-endpoint").json()
    assert missing.json()["success"] is False and missing.json()["errorCode"] == 404


def test_v2_delete_validates_the_id_and_answers_a_second_delete_not_found(api: str) -> None:
    """v2 validates path parameters (an id is a number) before it looks a record up; a
    record deleted already is not found."""
    bad = requests.delete(f"{api}/v2/persons/not-an-id", headers=HEADERS, timeout=10)
    assert bad.status_code == 400 and bad.json()["success"] is False
    person = requests.post(
        f"{api}/v2/persons", headers=HEADERS, json={"name": "Gone Twice"}, timeout=10
    ).json()["data"]
    url = f"{api}/v2/persons/{person['id']}"
    assert requests.delete(url, headers=HEADERS, timeout=10).status_code == 200
    assert requests.delete(url, headers=HEADERS, timeout=10).status_code == 404
