"""The Salesforce adapter against the sandbox over real HTTP (TLS instance, OAuth refresh)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext, OutboundRecord
from adapters.salesforce import SalesforceAdapter, soql_datetime
from core.errors import InvalidInputError, QuotaExhaustedError, VendorAuthError
from core.models import Connection, Entity, FieldOverride, System
from sandbox.testing import RunningSandbox, run_sandbox

SF, TENANT = "salesforce", "globex"
CREDENTIALS = {
    "client_id": "3MVG9globex.sandbox.consumer.key",
    "client_secret": "globex-sf-consumer-secret",
    "refresh_token": "5Aep861globex.sandbox.refresh.token",
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(systems=(SF,), data_dir=tmp_path_factory.mktemp("sb")) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_tenant(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.control.reset(SF, TENANT, scale={"Contact": 450, "Account": 20, "Task": 30})
    yield
    sandbox.control.clear_faults()


def adapter(
    sandbox: RunningSandbox,
    *,
    saved: list[dict[str, str]] | None = None,
    overrides: tuple[FieldOverride, ...] = (),
    credentials: dict[str, str] = CREDENTIALS,
    **config: Any,
) -> SalesforceAdapter:
    connection = Connection(
        organisation_id="org",
        system=System.SALESFORCE,
        name="sf",
        config={"login_url": sandbox.tls_url or "", "batch_size": 200, **config},
        sealed_secret="sealed",
        field_overrides=list(overrides),
    )
    context = AdapterContext(
        connection=connection,
        secret={k: SecretStr(v) for k, v in credentials.items()},
        save_secret=saved.append if saved is not None else lambda _fields: None,
        read_timeout_s=5.0,
        ca_bundle=sandbox.ca_path,
    )
    return SalesforceAdapter(context, rand=lambda: 0.0)


def read_all(sf: SalesforceAdapter, entity: Entity, since: datetime | None = None) -> list[Any]:
    return [r for page in sf.read(entity, since=since, resume=None) for r in page.records]


def test_refresh_keeps_every_token_field_and_calls_go_to_the_instance(
    sandbox: RunningSandbox,
) -> None:
    saved: list[dict[str, str]] = []
    sf = adapter(sandbox, saved=saved)
    check = sf.check()
    assert check.ok, check.message
    assert "daily API requests left" in check.message
    [secret] = saved
    for name in ("access_token", "instance_url", "id", "token_type", "issued_at", "signature"):
        assert secret[name], name
    assert secret["refresh_token"] == CREDENTIALS["refresh_token"]  # kept, not dropped
    assert sf.base_url() == secret["instance_url"].rstrip("/")
    assert secret["instance_url"].startswith("https://")


def test_full_read_pages_by_locator_oldest_change_first(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox)
    pages = list(sf.read(Entity.CONTACT, since=None, resume=None))
    assert [len(p.records) for p in pages] == [200, 200, 50]
    assert pages[0].resume is not None and "/query/" in pages[0].resume["next_url"]
    assert pages[-1].resume is None
    stamps = [r.updated_at or datetime.min for p in pages for r in p.records]
    assert stamps == sorted(stamps)
    first = pages[0].records[0]
    assert first.data["last_name"] and first.created_at is not None and not first.deleted


def test_incremental_read_sees_edits_and_deletions(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox)
    before = datetime.now(UTC) - timedelta(seconds=1)
    [one, two] = [r.id for r in sandbox.control.iter_records(SF, TENANT, "Contact")][:2]
    sandbox.control.update(SF, TENANT, "Contact", one, {"Title": "Chief Tester"})
    sandbox.control.delete(SF, TENANT, "Contact", two)
    sandbox.control.reset_stats()
    changed = {r.external_id: r for r in read_all(sf, Entity.CONTACT, since=before)}
    assert set(changed) == {one, two}
    assert changed[one].data["title"] == "Chief Tester" and not changed[one].deleted
    assert changed[two].deleted
    assert sandbox.control.records_served(SF, TENANT, "Contact") == 2


def test_an_expired_locator_restarts_from_the_last_modstamp(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox)
    everything = read_all(sf, Entity.CONTACT)
    edge = everything[299]
    resume = {
        "next_url": "/services/data/v60.0/query/01g8j0000000000AAA-300",
        "since": (edge.updated_at or datetime.min).isoformat(),
    }
    rest = [r for p in sf.read(Entity.CONTACT, since=None, resume=resume) for r in p.records]
    assert [r.external_id for r in rest] == [r.external_id for r in everything[299:]]


def test_writes_create_and_update(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox)
    existing = next(iter(sandbox.control.iter_records(SF, TENANT, "Contact"))).id
    results = sf.write(
        Entity.CONTACT,
        [
            OutboundRecord(None, {"last_name": "Novak", "email": "n@x.example"}),
            OutboundRecord(existing, {"title": "CFO", "last_name": "X"}, ("title",)),
            OutboundRecord(None, {"first_name": "No last name"}),
        ],
    )
    assert results[0].new_external_id and results[0].error is None
    created = sandbox.control.get(SF, TENANT, "Contact", results[0].new_external_id)
    assert created is not None and created.fields["LastName"] == "Novak"
    updated = sandbox.control.get(SF, TENANT, "Contact", existing)
    assert updated is not None and updated.fields["Title"] == "CFO"
    assert updated.fields["LastName"] != "X"  # only the changed field was sent
    assert results[2].error and "REQUIRED_FIELD_MISSING" in results[2].error
    fetched = sf.fetch(Entity.CONTACT, [existing, results[0].new_external_id, "003000000000000"])
    assert {r.external_id for r in fetched} == {existing, results[0].new_external_id}


def test_creates_upsert_by_the_external_id_field_and_repeat_safely(
    sandbox: RunningSandbox,
) -> None:
    sf = adapter(sandbox)
    new = OutboundRecord("local:sf-1", {"last_name": "Once", "email": "once@x.example"})
    [first] = sf.write(Entity.CONTACT, [new])
    [again] = sf.write(Entity.CONTACT, [new])  # the answer was lost: the same create again
    assert first.new_external_id and again.new_external_id == first.new_external_id
    made = sandbox.control.get(SF, TENANT, "Contact", first.new_external_id)
    assert made is not None and made.fields["ToothPick_Id__c"] == "local:sf-1"


def test_a_collection_refused_whole_is_halved_until_the_bad_record_fails_alone(
    sandbox: RunningSandbox,
) -> None:
    # text where Salesforce wants a number: its JSON parser refuses the whole request
    limit = FieldOverride(
        entity=Entity.ACCOUNT, canonical_field="custom.limit", vendor_field="Credit_Limit__c"
    )
    sf = adapter(sandbox, overrides=(limit,))
    records = [OutboundRecord(f"local:h-{n}", {"name": f"H{n}"}) for n in range(8)]
    records[5] = OutboundRecord("local:h-5", {"name": "H5", "custom": {"limit": "lots"}})
    sandbox.control.reset_stats(system=SF)
    results = sf.write(Entity.ACCOUNT, records)
    assert [r.error is None for r in results] == [True] * 5 + [False] + [True] * 2
    assert "JSON_PARSER_ERROR" in str(results[5].error)
    calls = sum(
        r["count"]
        for r in sandbox.control.stats(system=SF)["requests"]
        if r["path"].endswith("/{field}")
    )
    assert calls == 1 + 2 * 3  # the refused 8, then halves down to the one: 4+4, 2+2, 1+1


def test_an_org_without_the_external_id_field_refuses_creates_in_one_line(
    sandbox: RunningSandbox,
) -> None:
    sf = adapter(sandbox, external_id_field="Missing_Key__c")
    existing = next(iter(sandbox.control.iter_records(SF, TENANT, "Contact"))).id
    created, updated = sf.write(
        Entity.CONTACT,
        [
            OutboundRecord("local:sf-2", {"last_name": "Never"}),
            OutboundRecord(existing, {"title": "Still updated"}, ("title",)),
        ],
    )
    assert created.error is not None and "\n" not in created.error
    assert "Missing_Key__c" in created.error and "external_id_field" in created.error
    assert updated.error is None
    with pytest.raises(InvalidInputError) as bad:
        adapter(sandbox, external_id_field="Id, Name")
    assert bad.value.field == "external_id_field"


def test_custom_fields_come_from_describe_and_map_through_overrides(
    sandbox: RunningSandbox,
) -> None:
    sf = adapter(sandbox)
    found = {f.name: f for f in sf.discover_fields(Entity.CONTACT)}
    assert found["Preferred_Channel__c"].custom and found["Preferred_Channel__c"].writable
    assert not found["Email"].custom
    channel = FieldOverride(
        entity=Entity.CONTACT, canonical_field="custom.channel", vendor_field="Preferred_Channel__c"
    )
    mapped = read_all(adapter(sandbox, overrides=(channel,)), Entity.CONTACT)
    assert {r.data["custom"]["channel"] for r in mapped if r.data["custom"]} <= {
        "Email",
        "Phone",
        "SMS",
    }
    bogus = FieldOverride(entity=Entity.CONTACT, canonical_field="custom.x", vendor_field="Nope__c")
    with pytest.raises(InvalidInputError, match="no field Nope__c"):
        read_all(adapter(sandbox, overrides=(bogus,)), Entity.CONTACT)
    injected = FieldOverride(
        entity=Entity.CONTACT, canonical_field="custom.x", vendor_field="Id,(SELECT"
    )
    with pytest.raises(InvalidInputError, match="not a Salesforce field name"):
        read_all(adapter(sandbox, overrides=(injected,)), Entity.CONTACT)


def _fault(sandbox: RunningSandbox, sequence: list[Any]) -> None:
    sandbox.control.add_fault(
        {"system": SF, "tenant": TENANT, "object": "Contact", "op": "list", "sequence": sequence}
    )


def test_the_daily_allowance_pauses_until_the_rolling_window_frees_calls(
    sandbox: RunningSandbox,
) -> None:
    sf = adapter(sandbox)
    _fault(sandbox, ["daily_limit"])
    with pytest.raises(QuotaExhaustedError, match="24-hour") as caught:
        read_all(sf, Entity.CONTACT)
    ahead = caught.value.resets_at - datetime.now(UTC)
    assert timedelta(minutes=55) < ahead <= timedelta(hours=1)


def test_the_concurrency_limit_is_retried(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox)
    _fault(sandbox, ["rate_limited", "ok"])
    assert len(read_all(sf, Entity.CONTACT)) == 450
    assert sf.stats.retries == 1


def test_an_expired_session_refreshes_once(sandbox: RunningSandbox) -> None:
    saved: list[dict[str, str]] = []
    sf = adapter(sandbox, saved=saved)
    assert sf.check().ok
    _fault(sandbox, ["ok", "token_expired"])
    assert len(read_all(sf, Entity.CONTACT)) == 450
    assert len(saved) == 2 and saved[0]["access_token"] != saved[1]["access_token"]
    _fault(sandbox, ["token_expired", "token_expired"])
    with pytest.raises(VendorAuthError, match="INVALID_SESSION_ID"):
        read_all(sf, Entity.CONTACT)


def test_form_values_are_checked(sandbox: RunningSandbox) -> None:
    with pytest.raises(InvalidInputError, match="API version") as version:
        adapter(sandbox, api_version="sixty")
    assert version.value.field == "api_version"
    with pytest.raises(InvalidInputError, match="200 to 2000"):
        adapter(sandbox, batch_size=5000)
    assert adapter(sandbox, api_version="v58.0").version == "58.0"


def test_a_refused_refresh_token_says_reconnect(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox, credentials={**CREDENTIALS, "refresh_token": "revoked-token-1"})
    check = sf.check()
    assert not check.ok and "reconnect" in check.message and "revoked-token-1" not in check.message


def test_soql_datetime_literal_floors_to_milliseconds() -> None:
    moment = datetime(2024, 5, 1, 10, 0, 0, 123999, tzinfo=UTC)
    assert soql_datetime(moment) == "2024-05-01T10:00:00.123Z"


def bulk_calls(sandbox: RunningSandbox) -> dict[str, int]:
    made: dict[str, int] = {}
    for row in sandbox.control.stats(system=SF)["requests"]:
        path = row["path"]
        kind = (
            "results"
            if path.endswith("/results")
            else "job"
            if "/jobs/query" in path
            else "rest"
            if "/query" in path
            else "other"
        )
        made[kind] = made.get(kind, 0) + row["count"]
    return made


def test_a_large_full_read_goes_through_a_bulk_job_and_matches_rest(
    sandbox: RunningSandbox,
) -> None:
    gone = next(iter(sandbox.control.iter_records(SF, TENANT, "Contact"))).id
    sandbox.control.delete(SF, TENANT, "Contact", gone)
    by_rest = {r.external_id: r for r in read_all(adapter(sandbox), Entity.CONTACT)}
    sandbox.control.reset_stats()
    sf = adapter(sandbox, bulk_threshold=400)  # 449 live contacts
    pages = list(sf.read(Entity.CONTACT, since=None, resume=None))
    by_bulk = {r.external_id: r for p in pages for r in p.records}
    assert [len(p.records) for p in pages] == [200, 200, 50]  # engine pages of batch_size
    assert pages[0].resume and pages[0].resume["bulk_job"] and pages[-1].resume is None
    assert [p.total for p in pages] == [450, None, None]  # the job's numberRecordsProcessed
    assert by_bulk.keys() == by_rest.keys()
    for key, record in by_rest.items():  # the same canonical record, typed the same way
        assert by_bulk[key].data == record.data, key
        assert (by_bulk[key].deleted, by_bulk[key].updated_at) == (
            record.deleted,
            record.updated_at,
        )
    assert by_bulk[gone].deleted
    made = bulk_calls(sandbox)
    assert made["results"] == 1 and made["job"] == 3  # create + two polls; one CSV chunk
    assert made["rest"] == 1  # the COUNT() that chose the job


def test_a_bulk_read_resumes_at_the_next_row_of_the_same_job(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox, bulk_threshold=1)
    pages = sf.read(Entity.CONTACT, since=None, resume=None)
    first = next(pages)
    del pages  # the worker died here
    position = first.resume
    assert position is not None and position["skip"] == 200
    new_id = sandbox.control.create(SF, TENANT, "Contact", {"LastName": "After the job"}).id
    rest = [
        r
        for p in adapter(sandbox, bulk_threshold=1).read(
            Entity.CONTACT, since=None, resume=position
        )
        for r in p.records
    ]
    seen = [r.external_id for r in first.records] + [r.external_id for r in rest]
    assert len(seen) == 450 == len(set(seen))  # none lost, none twice
    assert new_id not in seen  # the job's snapshot; the next incremental read brings it


def test_incremental_and_small_reads_stay_on_rest(sandbox: RunningSandbox) -> None:
    sandbox.control.reset_stats()
    sf = adapter(sandbox, bulk_threshold=1000)
    read_all(sf, Entity.CONTACT)  # 450 < 1000
    read_all(adapter(sandbox, bulk_threshold=1), Entity.CONTACT, since=datetime.now(UTC))
    assert "job" not in bulk_calls(sandbox) and "results" not in bulk_calls(sandbox)


@pytest.mark.parametrize("value", ["-1", "lots"])
def test_a_bad_bulk_threshold_names_the_field(sandbox: RunningSandbox, value: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        adapter(sandbox, bulk_threshold=value)
    assert refused.value.field == "bulk_threshold"


def test_the_first_page_carries_the_querys_total_size(sandbox: RunningSandbox) -> None:
    sf = adapter(sandbox)
    pages = list(sf.read(Entity.CONTACT, since=None, resume=None))
    assert pages[0].total == 450 == sum(len(p.records) for p in pages)
    assert [p.total for p in pages[1:]] == [None, None]
    # The spent locator makes the read restart from its last modstamp: a new query, counted.
    restarted = list(sf.read(Entity.CONTACT, since=None, resume=pages[0].resume))
    assert restarted[0].total == sum(len(p.records) for p in restarted) < 450
