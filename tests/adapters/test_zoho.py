"""The Zoho CRM adapter against the sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext, OutboundRecord
from adapters.zoho import ZohoAdapter
from core.errors import NeedsReconnectError, QuotaExhaustedError, VendorError
from core.models import Connection, Entity, FieldOverride, System
from sandbox.testing import RunningSandbox, run_sandbox

Z, TENANT = "zoho", "acme"
SECRET = {
    "client_id": "1000.ACMEZOHOSANDBOXCLIENT01",
    "client_secret": "acme-zoho-client-secret",
    "refresh_token": "1000.acme.zoho.sandbox.refresh.token",
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(systems=(Z,), data_dir=tmp_path_factory.mktemp("sb"), tls=False) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_tenant(sandbox: RunningSandbox) -> Iterator[None]:
    scale = {"Contacts": 450, "Accounts": 20, "Deals": 20, "Tasks": 10, "Quotes": 5, "users": 4}
    sandbox.control.reset(Z, TENANT, scale=scale)
    yield
    sandbox.control.clear_faults()


def adapter(
    sandbox: RunningSandbox,
    *,
    secret: dict[str, str] = SECRET,
    saved: list[dict[str, str]] | None = None,
    overrides: tuple[FieldOverride, ...] = (),
    **more: Any,
) -> ZohoAdapter:
    config = {"accounts_url": sandbox.url, "api_version": "v2.1", **more}
    connection = Connection(
        organisation_id="org", system=System.ZOHO, name="z", sealed_secret="sealed",
        config=config, field_overrides=list(overrides),
    )  # fmt: skip
    context = AdapterContext(
        connection=connection,
        secret={k: SecretStr(v) for k, v in secret.items()},
        save_secret=saved.append if saved is not None else lambda _fields: None,
        read_timeout_s=5.0,
    )
    return ZohoAdapter(context, rand=lambda: 0.0)


def ids(pages: Any) -> list[str]:
    return [r.external_id for page in pages for r in page.records]


def test_refresh_keeps_the_api_domain_and_every_field(sandbox: RunningSandbox) -> None:
    saved: list[dict[str, str]] = []
    check = adapter(sandbox, saved=saved).check()
    assert check.ok, check.message
    assert saved[-1]["api_domain"] == sandbox.url and saved[-1]["token_type"] == "Bearer"
    assert saved[-1]["refresh_token"] == SECRET["refresh_token"]  # Zoho sends none back: kept
    assert {"access_token", "expires_in", "scope", "token_expires_at"} <= set(saved[-1])
    refused = adapter(sandbox, secret={**SECRET, "refresh_token": "1000.revoked"})
    with pytest.raises(NeedsReconnectError, match="invalid_code"):
        list(refused.read(Entity.CONTACT, since=None, resume=None))


def test_a_full_read_pages_by_number_then_by_token(sandbox: RunningSandbox) -> None:
    sandbox.control.set_scale(Z, TENANT, {"Contacts": 2300})
    pages = list(adapter(sandbox).read(Entity.CONTACT, since=None, resume=None))
    assert len(ids(pages)) == 2300 == len(set(ids(pages)))
    # Page numbers for the first 2,000 records (so they can be fetched at once), then the
    # token Zoho handed out with the tenth page.
    assert pages[2].resume == {"page": 4}
    tenth = pages[9].resume or {}
    assert "page_token" in tenth and tenth["page"] == 11
    assert pages[-2].resume == {"deleted_page": 1} and pages[-1].resume is None  # deletions last
    first = pages[0].records[0]
    assert first.data["last_name"] and first.updated_at and first.created_at
    times = [r.updated_at or datetime.min for page in pages for r in page.records]
    assert times == sorted(times)  # oldest change first (sort_by=Modified_Time asc)


def test_incremental_reads_only_changes_and_deletions(sandbox: RunningSandbox) -> None:
    zoho = adapter(sandbox)
    pages = list(zoho.read(Entity.CONTACT, since=None, resume=None))
    cursor = max(r.updated_at for page in pages for r in page.records if r.updated_at)
    truth = list(islice(sandbox.control.iter_records(Z, TENANT, "Contacts", page_size=3), 3))
    sandbox.control.update(Z, TENANT, "Contacts", truth[0].id, {"Title": "Changed"})
    sandbox.control.delete(Z, TENANT, "Contacts", truth[1].id)
    changed = [
        r for page in zoho.read(Entity.CONTACT, since=cursor, resume=None) for r in page.records
    ]
    by_id = {r.external_id: r for r in changed}
    assert by_id[truth[0].id].data["title"] == "Changed" and not by_id[truth[0].id].deleted
    assert by_id[truth[1].id].deleted and by_id[truth[1].id].data == {}
    assert len(changed) <= 3  # the two changes and at most the record at the cursor's second
    quiet = list(zoho.read(Entity.ACCOUNT, since=datetime.now(UTC), resume=None))  # 304, 304
    assert ids(quiet) == []


def test_writes_go_in_batches_with_per_record_results(sandbox: RunningSandbox) -> None:
    zoho = adapter(sandbox)
    good = {"first_name": "Ana", "last_name": "Ng", "email": "ana@x.io"}
    results = zoho.write(Entity.CONTACT, [
        OutboundRecord(None, good), OutboundRecord("local:2", {"first_name": "No last name"}),
    ])  # fmt: skip
    assert results[0].new_external_id and results[0].updated_at and results[0].error is None
    assert (
        results[1].error
        and "MANDATORY_NOT_FOUND" in results[1].error
        and "Last_Name" in results[1].error
    )
    sandbox.control.reset_stats()
    many = [OutboundRecord(None, {"last_name": f"Bulk {n}"}) for n in range(120)]
    assert all(r.new_external_id for r in zoho.write(Entity.CONTACT, many))
    posts = [r for r in sandbox.control.stats(system=Z)["requests"] if r["method"] == "POST"]
    assert sum(r["count"] for r in posts) == 2  # 100 + 20
    new_id = str(results[0].new_external_id)
    [updated] = zoho.write(
        Entity.CONTACT, [OutboundRecord(new_id, {**good, "title": "CFO"}, ("title",))]
    )
    assert updated.error is None and updated.updated_at is not None
    truth = sandbox.control.get(Z, TENANT, "Contacts", new_id)
    assert (
        truth is not None and truth.fields["Title"] == "CFO" and truth.fields["Last_Name"] == "Ng"
    )


def test_custom_fields_are_offered_and_carried_both_ways(sandbox: RunningSandbox) -> None:
    offered = {f.name: f for f in adapter(sandbox).discover_fields(Entity.CONTACT)}
    assert offered["Loyalty_Tier"].custom and offered["Loyalty_Tier"].label == "Loyalty Tier"
    assert not offered["Email"].custom
    loyal = FieldOverride(
        entity=Entity.CONTACT, canonical_field="custom.tier", vendor_field="Loyalty_Tier"
    )
    zoho = adapter(sandbox, overrides=(loyal,))
    record = next(iter(zoho.read(Entity.CONTACT, since=None, resume=None))).records[0]
    assert record.data["custom"]["tier"] in ("Bronze", "Silver", "Gold", "Platinum")
    data = {**record.data, "custom": {"tier": "Platinum"}}
    [result] = zoho.write(Entity.CONTACT, [OutboundRecord(record.external_id, data, ("custom",))])
    assert result.error is None
    truth = sandbox.control.get(Z, TENANT, "Contacts", record.external_id)
    assert truth is not None and truth.fields["Loyalty_Tier"] == "Platinum"


def test_tasks_split_what_id_by_module(sandbox: RunningSandbox) -> None:
    account = next(sandbox.control.iter_records(Z, TENANT, "Accounts"))
    task = next(sandbox.control.iter_records(Z, TENANT, "Tasks"))
    sandbox.control.update(
        Z, TENANT, "Tasks", task.id, {"What_Id": account.id, "$se_module": "Accounts"}
    )
    zoho = adapter(sandbox)
    [mapped] = zoho.fetch(Entity.ACTIVITY, [task.id])
    assert mapped.data["account_external_id"] == account.id and mapped.data["kind"] == "task"
    assert mapped.data["opportunity_external_id"] is None
    deal = next(sandbox.control.iter_records(Z, TENANT, "Deals"))
    data = {**mapped.data, "opportunity_external_id": deal.id, "account_external_id": None}
    change = ("opportunity_external_id", "account_external_id")
    [result] = zoho.write(Entity.ACTIVITY, [OutboundRecord(task.id, data, change)])
    truth = sandbox.control.get(Z, TENANT, "Tasks", task.id)
    assert result.error is None and truth is not None
    assert (truth.fields["What_Id"], truth.fields["$se_module"]) == (deal.id, "Deals")


def test_quotes_bring_their_line_items(sandbox: RunningSandbox) -> None:
    quotes = [
        r
        for page in adapter(sandbox).read(Entity.QUOTE, since=None, resume=None)
        for r in page.records
    ]
    assert len(quotes) == 5 and all(q.data["lines"] for q in quotes)
    line = quotes[0].data["lines"][0]
    assert line["product_external_id"] and float(line["quantity"]) > 0 and line["line_id"]


def test_spent_credits_pause_the_run_until_reset(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault({"system": Z, "op": "list", "sequence": ["daily_limit"]})
    with pytest.raises(QuotaExhaustedError) as spent:
        list(adapter(sandbox).read(Entity.CONTACT, since=None, resume=None))
    assert spent.value.resets_at.timestamp() > 0 and "credits" in str(spent.value)


def test_a_stale_page_token_restarts_the_stream(sandbox: RunningSandbox) -> None:
    stale = {"page": 2, "page_token": "eyJ4IjoxfQ"}  # {"x": 1}: expired long ago
    pages = list(adapter(sandbox).read(Entity.CONTACT, since=None, resume=stale))
    assert len(ids(pages)) == 450


def test_a_write_refreshes_an_expired_token_and_pauses_on_spent_credits(
    sandbox: RunningSandbox,
) -> None:
    saved: list[dict[str, str]] = []
    zoho = adapter(sandbox, saved=saved)
    assert zoho.check().ok
    sandbox.control.expire_tokens(Z, TENANT)
    [made] = zoho.write(Entity.CONTACT, [OutboundRecord(None, {"last_name": "After expiry"})])
    assert made.error is None and made.new_external_id and len(saved) == 2
    sandbox.control.add_fault({"system": Z, "op": "create", "sequence": ["daily_limit"]})
    with pytest.raises(QuotaExhaustedError):
        zoho.write(Entity.CONTACT, [OutboundRecord(None, {"last_name": "No credits"})])


def test_reads_past_the_page_token_limit_in_windows_of_queries(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zoho stops page tokens at 100,000 records a query: the adapter starts a new query
    from the newest change seen. Here the window is 120 records to show it at 450."""
    import adapters.zoho

    monkeypatch.setattr(adapters.zoho, "WINDOW", 120)
    zoho = adapter(sandbox)
    pages = list(zoho.read(Entity.CONTACT, since=None, resume=None))
    seen = {r.external_id for p in pages for r in p.records if not r.deleted}
    truth = {t.id for t in sandbox.control.iter_records(Z, TENANT, "Contacts")}
    assert seen == truth
    windows = [p.resume for p in pages if p.resume and set(p.resume) == {"window_since"}]
    assert len(windows) == 2  # pages of 200 against a window of 120: every page closes one
    # A run killed right after a window closed resumes in the next query, not from scratch.
    rest = list(zoho.read(Entity.CONTACT, since=None, resume=windows[-1]))
    later = {r.external_id for p in rest for r in p.records if not r.deleted}
    assert later and later < truth and len(later) < len(truth) / 2


def test_a_refusal_at_a_lower_page_token_cap_starts_the_next_query(
    sandbox: RunningSandbox,
) -> None:
    """An account whose tokens stop earlier than the documented 100,000 (here 2,200, a
    sandbox knob): the refusal starts a query from the newest change read; a run resumed
    at a token past the cap starts its window over; more changes in one second than a
    query pages through are an error in words, not a loop."""
    control = sandbox.control
    control.set_scale(Z, TENANT, {"Contacts": 2_300})
    control.set_caps(Z, TENANT, page_token=2_200)
    truth = {t.id for t in control.iter_records(Z, TENANT, "Contacts")}
    zoho = adapter(sandbox)
    pages = list(zoho.read(Entity.CONTACT, since=None, resume=None))
    assert {r.external_id for p in pages for r in p.records if not r.deleted} == truth
    refused_at = next(p.resume for p in pages if p.resume and p.resume.get("page") == 12)
    again = list(zoho.read(Entity.CONTACT, since=None, resume=refused_at))
    assert {r.external_id for p in again for r in p.records if not r.deleted} == truth

    second = control.set_vendor_clock(Z, TENANT) // 1000 * 1000
    control.set_vendor_clock(Z, TENANT, frozen_at_ms=second)
    for record_id in truth:  # 2,300 changes within one second
        control.update(Z, TENANT, "Contacts", record_id, {"Title": "Same second"})
    control.set_vendor_clock(Z, TENANT)
    # Stamped a millisecond apart, they span 2.3 s: read from the second second on, the
    # first query ends at the cap within two seconds of its start (Zoho's whole seconds).
    since = datetime.fromtimestamp(second / 1000 + 1, UTC)
    with pytest.raises(VendorError, match="changed in one second than one query pages"):
        list(zoho.read(Entity.CONTACT, since=since, resume=None))


def calls(sandbox: RunningSandbox) -> dict[str, int]:
    made: dict[str, int] = {}
    for row in sandbox.control.stats(system=Z)["requests"]:
        path = row["path"]
        kind = "bulk" if "/crm/bulk/" in path else "deleted" if path.endswith("/deleted") else path
        made[kind] = made.get(kind, 0) + row["count"]
    return made


def test_a_large_full_read_goes_through_bulk_read_jobs_and_matches_rest(
    sandbox: RunningSandbox,
) -> None:
    gone = next(iter(sandbox.control.iter_records(Z, TENANT, "Contacts"))).id
    sandbox.control.delete(Z, TENANT, "Contacts", gone)
    by_rest = {
        r.external_id: r
        for p in adapter(sandbox).read(Entity.CONTACT, since=None, resume=None)
        for r in p.records
    }
    sandbox.control.reset_stats()
    pages = list(adapter(sandbox, bulk_threshold=400).read(Entity.CONTACT, since=None, resume=None))
    by_bulk = {r.external_id: r for p in pages for r in p.records}
    assert by_bulk.keys() == by_rest.keys()  # 449 live ones and the deletion
    assert pages[0].total == 449  # the count that chose the jobs: progress has an end
    for key, record in by_rest.items():
        assert (by_bulk[key].data, by_bulk[key].deleted) == (record.data, record.deleted), key
        assert by_bulk[key].updated_at == record.updated_at
    assert by_bulk[gone].deleted
    made = calls(sandbox)
    assert made["bulk"] == 4  # create, two polls, one download of 449 records
    assert made["deleted"] == 1
    accounts = adapter(sandbox, bulk_threshold=1)
    list(accounts.read(Entity.ACTIVITY, since=None, resume=None))  # What_Id: stays on REST
    assert calls(sandbox)["bulk"] == 4


def test_a_bulk_read_resumes_at_the_next_row_of_the_same_job(sandbox: RunningSandbox) -> None:
    pages = adapter(sandbox, bulk_threshold=1).read(Entity.CONTACT, since=None, resume=None)
    first = next(pages)
    del pages  # the worker died here
    assert first.resume is not None and first.resume["skip"] == 200
    sandbox.control.reset_stats()
    rest = adapter(sandbox, bulk_threshold=1).read(Entity.CONTACT, since=None, resume=first.resume)
    seen = ids([first]) + ids(rest)
    assert len(seen) == 450 == len(set(seen))
    assert calls(sandbox)["bulk"] == 2  # one more poll and the download: no second job


def test_the_first_pages_are_fetched_ahead_by_number(sandbox: RunningSandbox) -> None:
    sequential = ids(adapter(sandbox).read(Entity.CONTACT, since=None, resume=None))
    sandbox.control.reset_stats()
    ahead = adapter(sandbox)
    ahead.context.pages_in_flight = 4
    assert ids(ahead.read(Entity.CONTACT, since=None, resume=None)) == sequential
    lists = [
        r for r in sandbox.control.stats(system=Z)["requests"] if r["path"].endswith("{module}")
    ]
    assert 3 <= sum(r["count"] for r in lists) <= 3 + 3  # 3 pages, one window past the end at most
