"""The HubSpot adapter against the sandbox over real HTTP, and its keyset paginator alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext, OutboundRecord
from adapters.hubspot import HubSpotAdapter
from adapters.hubspot_search import KeysetPaginator
from adapters.paging import PageRequest
from adapters.payload import Reply
from core.errors import InvalidInputError
from core.models import Connection, Entity, FieldOverride, System
from sandbox.testing import RunningSandbox, run_sandbox

HS, TENANT = "hubspot", "globex"
PRIVATE = {"private_app_token": "pat-eu1-globex00-0000-4000-8000-000000000002"}
OAUTH = {
    "client_id": "globex00-hubspot-app-client-id",
    "client_secret": "globex-hubspot-client-secret",
    "refresh_token": "eu1-globex-hubspot-refresh-token",
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(systems=(HS,), data_dir=tmp_path_factory.mktemp("sb"), tls=False) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_tenant(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.control.reset(HS, TENANT, scale={"contacts": 250, "companies": 20})
    sandbox.control.set_limits(HS, TENANT, interval_max=10_000)
    yield
    sandbox.control.clear_faults()


def adapter(
    sandbox: RunningSandbox,
    *,
    secret: dict[str, str] = PRIVATE,
    saved: list[dict[str, str]] | None = None,
    overrides: tuple[FieldOverride, ...] = (),
    **extra: Any,
) -> HubSpotAdapter:
    connection = Connection(
        organisation_id="org",
        system=System.HUBSPOT,
        name="hs",
        config={"base_url": sandbox.url, "requests_per_10s": 1000, **extra},
        sealed_secret="sealed",
        field_overrides=list(overrides),
    )
    context = AdapterContext(
        connection=connection,
        secret={k: SecretStr(v) for k, v in secret.items()},
        save_secret=saved.append if saved is not None else lambda _fields: None,
        read_timeout_s=5.0,
    )
    return HubSpotAdapter(context, rand=lambda: 0.0)


def ids(pages: Any) -> list[str]:
    return [r.external_id for page in pages for r in page.records]


def test_a_full_read_lists_then_catches_up_then_reads_the_archive(
    sandbox: RunningSandbox,
) -> None:
    pages = list(adapter(sandbox).read(Entity.CONTACT, since=None, resume=None))
    phases = [(p.resume or {}).get("phase") for p in pages]
    assert phases == ["list", "list", "search", "archived", None]
    assert len(pages[0].records) == 100 and len(ids(pages)) == 250 == len(set(ids(pages)))
    first = pages[0].records[0]
    assert first.data["last_name"] and first.updated_at and first.created_at


def test_a_record_edited_during_a_full_read_is_read_again(sandbox: RunningSandbox) -> None:
    stream = adapter(sandbox).read(Entity.CONTACT, since=None, resume=None)
    first = next(stream)
    edited = first.records[0].external_id
    sandbox.control.update(HS, TENANT, "contacts", edited, {"jobtitle": "Changed mid-read"})
    later = [r for page in stream for r in page.records if r.external_id == edited]
    assert [r.data["title"] for r in later] == ["Changed mid-read"]


def test_incremental_reads_search_by_keyset_and_see_archived_records(
    sandbox: RunningSandbox,
) -> None:
    hs = adapter(sandbox)
    before = datetime.now(UTC)
    [one, two] = [r.id for r in sandbox.control.iter_records(HS, TENANT, "contacts")][:2]
    sandbox.control.update(HS, TENANT, "contacts", one, {"jobtitle": "Chief Tester"})
    sandbox.control.delete(HS, TENANT, "contacts", two)
    sandbox.control.reset_stats()
    found = {r.external_id: r for p in hs.read(Entity.CONTACT, since=before, resume=None)
             for r in p.records}  # fmt: skip
    assert set(found) == {one, two}
    assert found[one].data["title"] == "Chief Tester" and found[two].deleted
    assert sandbox.control.records_served(HS, TENANT, "contacts") == 2


@pytest.mark.slow  # 53 search pages at HubSpot's 4 searches per second
def test_more_than_ten_thousand_changes_pass_the_search_cap(sandbox: RunningSandbox) -> None:
    sandbox.control.reset(HS, TENANT, scale={"contacts": 10_450})
    pages = list(adapter(sandbox).read(Entity.CONTACT, since=datetime(2000, 1, 1, tzinfo=UTC),
                                       resume=None))  # fmt: skip
    found = ids(pages)
    assert len(found) == len(set(found)) == 10_450


def test_a_resumed_search_continues_after_the_last_id(sandbox: RunningSandbox) -> None:
    hs = adapter(sandbox)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    pages = hs.read(Entity.CONTACT, since=since, resume=None)
    first = next(pages)
    rest = ids(adapter(sandbox).read(Entity.CONTACT, since=since, resume=first.resume))
    assert len(first.records) == 200 and len(rest) == 50
    assert not set(rest) & {r.external_id for r in first.records}


def test_oauth_refresh_keeps_the_token_answer(sandbox: RunningSandbox) -> None:
    saved: list[dict[str, str]] = []
    hs = adapter(sandbox, secret=OAUTH, saved=saved)
    check = hs.check()
    assert check.ok and "daily API calls left" in check.message
    [tokens] = saved
    assert tokens["access_token"] and tokens["expires_in"] and tokens["token_type"]
    assert float(tokens["token_expires_at"]) > datetime.now(UTC).timestamp()


def test_no_credentials_is_a_form_error(sandbox: RunningSandbox) -> None:
    with pytest.raises(InvalidInputError) as caught:
        adapter(sandbox, secret={})
    assert caught.value.field == "private_app_token"


def test_writes_go_in_batches_isolating_a_bad_value_by_halving(
    sandbox: RunningSandbox,
) -> None:
    hs = adapter(sandbox)
    existing = [r.id for r in sandbox.control.iter_records(HS, TENANT, "contacts")][:120]
    records = [
        OutboundRecord(i, {"title": f"T{n}", "email": None}, ("title",))
        for n, i in enumerate(existing)
    ]
    records[7] = OutboundRecord(existing[7], {"email": "not-an-email"}, ("email",))
    records.append(OutboundRecord(None, {"last_name": "Novak", "email": "novak@x.example"}))
    sandbox.control.reset_stats()
    results = hs.write(Entity.CONTACT, records)
    assert [r.error is None for r in results].count(False) == 1
    assert results[7].error and "INVALID_EMAIL" in results[7].error
    assert results[-1].new_external_id
    created = sandbox.control.get(HS, TENANT, "contacts", results[-1].new_external_id)
    assert created is not None and created.fields["lastname"] == "Novak"
    truth = sandbox.control.get(HS, TENANT, "contacts", existing[119])
    assert truth is not None and truth.fields["jobtitle"] == "T119"
    batches = [
        row["count"]
        for row in sandbox.control.stats(system=HS)["requests"]
        if row["path"].endswith("/batch/update")
    ]
    # 100 (refused whole) + 20, then halves of the refused one down to the bad input:
    # 50+50, 25+25, 13+12, 6+7, 3+3, 2+1, 1+1 at most: 14
    assert 2 < sum(batches) <= 2 + 14
    paths = [(r["path"], r["count"]) for r in sandbox.control.stats(system=HS)["requests"]]
    assert [(p.rsplit("/", 1)[-1], n) for p, n in paths if "/batch/" in p and "upd" not in p] == [
        ("upsert", 1)
    ]  # the create: an upsert by email


def test_company_creates_upsert_by_the_unique_property_and_repeat_safely(
    sandbox: RunningSandbox,
) -> None:
    hs = adapter(sandbox)
    new = OutboundRecord("local:co-1", {"name": "Once Ltd"})
    [first] = hs.write(Entity.ACCOUNT, [new])
    [again] = hs.write(Entity.ACCOUNT, [new])  # the answer was lost: the same create again
    assert first.error is None and again.new_external_id == first.new_external_id
    made = sandbox.control.get(HS, TENANT, "companies", str(first.new_external_id))
    assert made is not None and made.fields["toothpick_id"] == "local:co-1"
    missing = adapter(sandbox, unique_property="not_there")
    [refused] = missing.write(Entity.ACCOUNT, [OutboundRecord("local:co-2", {"name": "No"})])
    assert refused.error is not None and "unique_property" in refused.error


def test_custom_properties_are_offered_and_mapped(sandbox: RunningSandbox) -> None:
    found = {f.name: f for f in adapter(sandbox).discover_fields(Entity.CONTACT)}
    assert found["properties.preferred_channel"].custom
    channel = FieldOverride(
        entity=Entity.CONTACT,
        canonical_field="custom.channel",
        vendor_field="properties.preferred_channel",
    )
    hs = adapter(sandbox, overrides=(channel,))
    values = {r.data.get("custom", {}).get("channel") for r in next(
        hs.read(Entity.CONTACT, since=None, resume=None)).records}  # fmt: skip
    assert values - {None} <= {"email", "phone", "sms"} and values - {None}
    bogus = FieldOverride(
        entity=Entity.CONTACT, canonical_field="custom.x", vendor_field="properties.nope"
    )
    with pytest.raises(InvalidInputError, match="no property nope"):
        next(adapter(sandbox, overrides=(bogus,)).read(Entity.CONTACT, since=None, resume=None))


def _fault(sandbox: RunningSandbox, rule: dict[str, Any]) -> None:
    sandbox.control.add_fault({"system": HS, "tenant": TENANT, "object": "contacts", **rule})


def test_the_ten_second_limit_waits_and_retries(sandbox: RunningSandbox) -> None:
    _fault(sandbox, {"op": "list", "sequence": [{"kind": "rate_limited", "retry_after_s": 1}]})
    hs = adapter(sandbox)
    assert len(ids(hs.read(Entity.CONTACT, since=None, resume=None))) == 250
    assert hs.stats.retries == 1


def _reply(results: list[dict[str, Any]], more: bool) -> Reply:
    body: dict[str, Any] = {"results": results}
    if more:
        body["paging"] = {"next": {"after": "200"}}
    return Reply(200, {}, body, "http://x/crm/v3/objects/contacts/search")


def test_the_keyset_paginator_filters_by_window_and_last_id() -> None:
    paginator = KeysetPaginator(modified="lastmodifieddate", since_ms=10, until_ms=99)
    request = PageRequest(method="POST", url="/search", json={"limit": 2})
    paginator.init_request(request)
    assert request.json is not None
    assert request.json["filterGroups"] == [{"filters": [
        {"propertyName": "lastmodifieddate", "operator": "LTE", "value": "99"},
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "10"},
    ]}]  # fmt: skip
    assert request.json["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    paginator.update_state(
        _reply([{"id": "5"}, {"id": "9"}], more=True), [{"id": "5"}, {"id": "9"}]
    )
    paginator.update_request(request)
    assert request.json["filterGroups"][0]["filters"][-1] == {
        "propertyName": "hs_object_id", "operator": "GT", "value": "9"
    }  # fmt: skip
    assert "after" not in request.json  # never an offset: no 10,000 cap
    assert paginator.resume == {"after_id": "9"}
    paginator.update_state(_reply([{"id": "12"}], more=False), [{"id": "12"}])
    assert not paginator.has_next_page and paginator.resume is None


def test_an_incremental_reads_first_search_page_carries_its_total(
    sandbox: RunningSandbox,
) -> None:
    before = datetime.now(UTC)
    changed = [r.id for r in sandbox.control.iter_records(HS, TENANT, "contacts")][:3]
    for contact in changed:
        sandbox.control.update(HS, TENANT, "contacts", contact, {"jobtitle": "Counted"})
    pages = list(adapter(sandbox).read(Entity.CONTACT, since=before, resume=None))
    assert pages[0].total == 3 == len(pages[0].records)
    assert all(p.total is None for p in pages[1:])


def test_a_contact_without_an_email_upserts_by_the_unique_property(
    sandbox: RunningSandbox,
) -> None:
    hs = adapter(sandbox)
    new = OutboundRecord("local:ct-1", {"last_name": "Nomail", "email": None})
    [first] = hs.write(Entity.CONTACT, [new])
    [again] = hs.write(Entity.CONTACT, [new])  # the answer was lost: the same create again
    assert first.error is None and again.new_external_id == first.new_external_id
    made = sandbox.control.get(HS, TENANT, "contacts", str(first.new_external_id))
    assert made is not None and made.fields["toothpick_id"] == "local:ct-1"
