"""BaseAdapter end to end: a fake vendor on BaseAdapter against a scripted local server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext, OutboundRecord
from core.errors import InvalidInputError, QuotaExhaustedError, TransientVendorError
from core.models import Connection, Entity, FieldOverride, System
from tests.adapters.fake_vendor import FakeCrmAdapter
from tests.adapters.server import Step

TOKEN = "fake-api-token-123456"


def person(pid: int, last: str | None = "Doe", **extra):
    record = {
        "id": pid,
        "first_name": "Jo",
        "last_name": last,
        "emails": [{"value": f"p{pid}@x.example"}],
        "org_id": 7,
        "update_time": f"2026-01-0{pid}T10:00:00Z",
        "add_time": "2025-12-01T00:00:00Z",
        "is_deleted": False,
    }
    record.update(extra)
    return record


def adapter_for(server, clock, *, overrides=(), saved=None) -> FakeCrmAdapter:
    connection = Connection(
        organisation_id="org-1",
        system=System.PIPEDRIVE,
        name="Fake",
        config={"base_url": server.url},
        sealed_secret="sealed",
        field_overrides=list(overrides),
    )
    context = AdapterContext(
        connection=connection,
        secret={"api_token": SecretStr(TOKEN)},
        save_secret=(saved.append if saved is not None else lambda _f: None),
    )
    return FakeCrmAdapter(context, clock=clock, rand=lambda: 0.5)


def script_people(server):
    server.script(
        "GET",
        "/api/v2/persons",
        Step(
            json={
                "success": True,
                "data": [person(1), person(2, id=None)],
                "additional_data": {"next_cursor": "c2"},
            }
        ),
        Step(
            json={
                "success": True,
                "data": [person(3, is_deleted=True, last_name=None)],
                "additional_data": {"next_cursor": None},
            }
        ),
    )


def test_read_pages_through_maps_and_reports_bad_records(server, clock):
    script_people(server)
    adapter = adapter_for(server, clock)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    pages = list(adapter.read(Entity.CONTACT, since=since, resume=None))

    assert [len(p.records) for p in pages] == [1, 1]
    assert pages[0].resume == {"cursor": "c2"}
    assert pages[1].resume is None
    first = pages[0].records[0]
    assert first.external_id == "1"
    assert first.data["email"] == "p1@x.example"
    assert first.data["account_external_id"] == "7"
    assert first.updated_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert first.created_at == datetime(2025, 12, 1, tzinfo=UTC)
    assert [f.reason for f in pages[0].failures] == [
        "a contact arrived without its id; it was skipped"
    ]
    deleted = pages[1].records[0]
    assert deleted.deleted and deleted.data["last_name"] is None

    calls = server.calls("GET", "/api/v2/persons")
    assert calls[0].header("Accept") == "application/json"
    assert calls[0].query == {
        "sort_by": ["update_time"],
        "sort_direction": ["asc"],
        "updated_since": ["2026-01-01T00:00:00Z"],
        "api_token": [TOKEN],
    }
    assert calls[1].query["cursor"] == ["c2"]
    assert (adapter.stats.pages, adapter.stats.api_calls, adapter.stats.retries) == (2, 2, 0)


def test_read_resumes_after_the_checkpointed_page(server, clock):
    server.script("GET", "/api/v2/persons", Step(json={"data": [person(3)], "additional_data": {}}))
    adapter = adapter_for(server, clock)
    pages = list(adapter.read(Entity.CONTACT, since=None, resume={"cursor": "c2"}))
    assert len(pages) == 1
    assert server.seen[0].query["cursor"] == ["c2"]


def test_offset_entities_page_by_offset(server, clock):
    org = {"name": "Acme", "people_count": 3, "id": 1, "update_time": "2026-01-01T00:00:00Z"}
    server.script(
        "GET",
        "/api/v1/organizations",
        Step(json={"data": [org, {**org, "id": 2}]}),
        Step(json={"data": [{**org, "id": 3}]}),
    )
    pages = list(adapter_for(server, clock).read(Entity.ACCOUNT, since=None, resume=None))
    assert [r.external_id for p in pages for r in p.records] == ["1", "2", "3"]
    assert [s.query.get("start") for s in server.seen] == [["0"], ["2"]]


def test_a_spent_daily_quota_ends_the_read_with_a_reset_time(server, clock):
    server.script(
        "GET",
        "/api/v2/persons",
        Step(
            429,
            json={"success": False, "error": "Request over limit"},
            headers={"x-daily-requests-left": "0"},
        ),
    )
    with pytest.raises(QuotaExhaustedError) as caught:
        list(adapter_for(server, clock).read(Entity.CONTACT, since=None, resume=None))
    assert "Fake CRM's daily request budget is spent" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_field_overrides_reach_reads_and_writes(server, clock):
    server.script(
        "GET",
        "/api/v2/persons",
        Step(json={"data": [person(1, custom_fields={"abc123": "gold"})], "additional_data": {}}),
    )
    server.script(
        "PATCH",
        "/api/v2/persons/1",
        Step(json={"data": {"id": 1, "update_time": "2026-02-01T00:00:00Z"}}),
    )
    overrides = [
        FieldOverride(
            entity=Entity.CONTACT,
            canonical_field="custom.tier",
            vendor_field="custom_fields.abc123",
        )
    ]
    adapter = adapter_for(server, clock, overrides=overrides)
    record = next(iter(adapter.read(Entity.CONTACT, since=None, resume=None))).records[0]
    assert record.data["custom"] == {"tier": "gold"}

    results = adapter.write(
        Entity.CONTACT,
        [
            OutboundRecord(
                "1", {"custom": {"tier": "silver"}, "last_name": "Doe"}, changed_fields=("custom",)
            )
        ],
    )
    assert results[0].error is None
    assert server.calls("PATCH", "/api/v2/persons/1")[0].json() == {
        "custom_fields": {"abc123": "silver"}
    }


def test_writes_create_update_and_report_record_level_refusals(server, clock):
    server.script(
        "POST",
        "/api/v2/persons",
        Step(201, json={"data": {"id": 99}, "id": 99, "update_time": "2026-02-01T00:00:00Z"}),
    )
    server.script(
        "PATCH",
        "/api/v2/persons/5",
        Step(422, json={"success": False, "error": "last_name cannot be empty"}),
    )
    server.script("PATCH", "/api/v2/persons/6", Step(json={"id": 6}))
    adapter = adapter_for(server, clock)
    results = adapter.write(
        Entity.CONTACT,
        [
            OutboundRecord(
                "local:abc",
                {
                    "first_name": "New",
                    "last_name": "Person",
                    "email": "n@x",
                    "account_external_id": None,
                },
            ),
            OutboundRecord("5", {"last_name": ""}, changed_fields=("last_name",)),
            OutboundRecord("6", {"first_name": "Jo", "account_external_id": "not-a-number"}),
        ],
    )
    assert results[0].new_external_id == "99"
    assert results[0].updated_at == datetime(2026, 2, 1, tzinfo=UTC)
    assert server.calls("POST", "/api/v2/persons")[0].json() == {
        "first_name": "New",
        "last_name": "Person",
    }
    assert "422" in (results[1].error or "") and "last_name cannot be empty" in (
        results[1].error or ""
    )
    assert results[2].error == "account_external_id: cannot read 'not-a-number' as a record id"
    assert server.calls("PATCH", "/api/v2/persons/6") == []


def test_a_transient_failure_during_writes_stops_the_batch(server, clock):
    server.script("PATCH", "/api/v2/persons/5", Step(503))
    with pytest.raises(TransientVendorError):
        adapter_for(server, clock).write(Entity.CONTACT, [OutboundRecord("5", {"last_name": "X"})])
    assert len(server.seen) == 3  # PATCH is idempotent: retried up to the policy's 3 attempts


def test_read_only_entities_refuse_writes_in_words(server, clock):
    with pytest.raises(InvalidInputError, match="Fake CRM does not accept writes of account"):
        adapter_for(server, clock).write(Entity.ACCOUNT, [OutboundRecord(None, {"name": "A"})])


def test_unsupported_entities_say_why(server, clock):
    with pytest.raises(InvalidInputError, match="Fake CRM has no quotes"):
        list(adapter_for(server, clock).read(Entity.QUOTE, since=None, resume=None))


def test_fetch_skips_records_the_vendor_no_longer_has(server, clock):
    server.script("GET", "/api/v2/persons/1", Step(json=person(1)))
    server.script(
        "GET", "/api/v2/persons/2", Step(404, json={"success": False, "error": "not found"})
    )
    records = adapter_for(server, clock).fetch(Entity.CONTACT, ["1", "2"])
    assert [r.external_id for r in records] == ["1"]


def test_check_reports_success_and_refusal_without_raising(server, clock):
    server.script("GET", "/api/v2/persons", Step(json={"data": [person(1)], "additional_data": {}}))
    ok = adapter_for(server, clock).check()
    assert ok.ok and ok.message == "Connected to Fake CRM: read persons (1 records on page one)"

    server.script(
        "GET",
        "/api/v2/persons",
        Step(401, json={"success": False, "error": "unauthorized access", "errorCode": 401}),
    )
    refused = adapter_for(server, clock).check()
    assert not refused.ok
    assert refused.message == (
        "Fake CRM refused the API token (401: unauthorized access): "
        "check them in the connection settings"
    )


def test_discover_fields_offers_standard_and_custom_fields(server, clock):
    fields = {
        "data": [
            {"key": "abc123", "name": "Tier", "field_type": "enum", "edit_flag": True},
            {"key": "name", "name": "Name", "field_type": "varchar", "edit_flag": False},
        ]
    }
    server.script("GET", "/api/v1/personFields", Step(json=fields))
    found = adapter_for(server, clock).discover_fields(Entity.CONTACT)
    assert [(f.name, f.custom) for f in found] == [
        ("first_name", False),
        ("last_name", False),
        ("emails.0.value", False),
        ("org_id", False),
        ("custom_fields.abc123", True),
    ]


def test_save_tokens_hands_the_whole_secret_to_the_service(server, clock):
    saved: list[dict[str, str]] = []
    adapter = adapter_for(server, clock, saved=saved)
    adapter.save_tokens({"access_token": "new-access-123456", "instance_url": "https://x"})
    assert saved == [
        {"api_token": TOKEN, "access_token": "new-access-123456", "instance_url": "https://x"}
    ]
    assert (
        adapter.session.redact("token new-access-123456 at https://x") == "token *** at https://x"
    )


def test_missing_secret_fields_are_named(server, clock):
    connection = Connection(
        organisation_id="o",
        system=System.PIPEDRIVE,
        name="F",
        config={"base_url": server.url},
        sealed_secret="s",
    )
    with pytest.raises(InvalidInputError) as caught:
        FakeCrmAdapter(AdapterContext(connection=connection, secret={}))
    assert caught.value.field == "api_token"
