"""The Pipedrive adapter against the sandbox over real HTTP: API token and OAuth."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext, OutboundRecord
from adapters.pipedrive import PipedriveAdapter
from core.errors import InvalidInputError, NeedsReconnectError, QuotaExhaustedError, VendorAuthError
from core.models import Connection, Entity, FieldOverride, System
from sandbox.pipedrive.schema import custom_key
from sandbox.testing import RunningSandbox, run_sandbox

P, TENANT = "pipedrive", "acme"
TOKEN = {"api_token": "a1c3e5f70921b4d6e8f0a2c4e6b8d0f2a4c6e8b0"}
OAUTH = {
    "client_id": "b4f1e2a3c5d6e7f8",
    "client_secret": "acme-pipedrive-client-secret",
    "refresh_token": "1234567:8901:acme.pipedrive.sandbox.refresh",
}
LOYALTY = custom_key("acme", "persons", "Loyalty tier")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(systems=(P,), data_dir=tmp_path_factory.mktemp("sb"), tls=False) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_tenant(sandbox: RunningSandbox) -> Iterator[None]:
    scale = {"persons": 1100, "organizations": 20, "deals": 20, "activities": 10, "users": 3}
    sandbox.control.reset(P, TENANT, scale=scale)
    yield
    sandbox.control.clear_faults()


def adapter(
    sandbox: RunningSandbox,
    *,
    secret: dict[str, str] = TOKEN,
    saved: list[dict[str, str]] | None = None,
    overrides: tuple[FieldOverride, ...] = (),
    **extra: Any,
) -> PipedriveAdapter:
    config = {"base_url": sandbox.url, "oauth_url": sandbox.url, **extra}
    connection = Connection(
        organisation_id="org", system=System.PIPEDRIVE, name="p", sealed_secret="sealed",
        config=config, field_overrides=list(overrides),
    )  # fmt: skip
    context = AdapterContext(
        connection=connection,
        secret={k: SecretStr(v) for k, v in secret.items()},
        save_secret=saved.append if saved is not None else lambda _fields: None,
        read_timeout_s=5.0,
    )
    return PipedriveAdapter(context, rand=lambda: 0.0)


def records(pages: Any) -> list[Any]:
    return [r for page in pages for r in page.records]


def test_a_full_read_pages_by_cursor_then_looks_for_deletions(sandbox: RunningSandbox) -> None:
    pages = list(adapter(sandbox).read(Entity.CONTACT, since=None, resume=None))
    found = records(pages)
    assert [len(p.records) for p in pages[:3]] == [500, 500, 100]
    assert len({r.external_id for r in found}) == 1100
    assert pages[2].resume == {"deleted": "start"} and pages[-1].resume is None
    first = found[0]
    assert first.data["email"] and "@" in first.data["email"] and first.data["phone"]
    assert first.updated_at and first.created_at and not first.deleted


def test_resume_mid_stream_continues_after_the_checkpoint(sandbox: RunningSandbox) -> None:
    pages = adapter(sandbox).read(Entity.CONTACT, since=None, resume=None)
    checkpoint = next(pages).resume
    rest = records(adapter(sandbox).read(Entity.CONTACT, since=None, resume=checkpoint))
    assert len(rest) == 600


def test_incremental_reads_changes_and_deletions(sandbox: RunningSandbox) -> None:
    pipedrive = adapter(sandbox)
    cursor = max(
        r.updated_at for r in records(pipedrive.read(Entity.CONTACT, since=None, resume=None))
    )
    people = list(islice(sandbox.control.iter_records(P, TENANT, "persons", page_size=2), 2))
    sandbox.control.update(P, TENANT, "persons", people[0].id, {"job_title": "Buyer"})
    sandbox.control.delete(P, TENANT, "persons", people[1].id)
    by_id = {
        r.external_id: r for r in records(pipedrive.read(Entity.CONTACT, since=cursor, resume=None))
    }
    assert by_id[people[0].id].data["title"] == "Buyer" and not by_id[people[0].id].deleted
    assert by_id[people[1].id].deleted  # from /v1/recents: no longer active
    deal = next(sandbox.control.iter_records(P, TENANT, "deals"))
    sandbox.control.delete(P, TENANT, "deals", deal.id)
    gone = [
        r
        for r in records(pipedrive.read(Entity.OPPORTUNITY, since=cursor, resume=None))
        if r.deleted
    ]
    assert [r.external_id for r in gone] == [deal.id]  # from status=deleted


def test_writes_join_the_name_and_split_the_due_time(sandbox: RunningSandbox) -> None:
    pipedrive = adapter(sandbox)
    [made] = pipedrive.write(
        Entity.CONTACT,
        [OutboundRecord(None, {"first_name": "Ana", "last_name": "Ng", "email": "ana@x.io"})],
    )
    assert made.error is None and made.new_external_id and made.updated_at
    new_id = str(made.new_external_id)
    data = {"first_name": "Ana", "last_name": "Ng-Smith", "title": "CFO"}
    [changed] = pipedrive.write(
        Entity.CONTACT, [OutboundRecord(new_id, data, ("last_name", "title"))]
    )
    truth = sandbox.control.get(P, TENANT, "persons", new_id)
    assert changed.error is None and truth is not None
    assert (truth.fields["name"], truth.fields["job_title"]) == ("Ana Ng-Smith", "CFO")
    assert truth.fields["emails"][0]["value"] == "ana@x.io"
    due = {"kind": "call", "subject": "Call back", "due_at": "2026-03-04T15:30:00Z"}
    [activity] = pipedrive.write(Entity.ACTIVITY, [OutboundRecord(None, due)])
    stored = sandbox.control.get(P, TENANT, "activities", str(activity.new_external_id))
    assert stored is not None and (stored.fields["due_date"], stored.fields["due_time"]) == (
        "2026-03-04",
        "15:30",
    )
    [back] = pipedrive.fetch(Entity.ACTIVITY, [str(activity.new_external_id)])
    assert back.data["due_at"] == "2026-03-04T15:30:00Z" and back.data["kind"] == "call"
    [refused] = pipedrive.write(
        Entity.CONTACT,
        [OutboundRecord(new_id, {"account_external_id": "999999"}, ("account_external_id",))],
    )
    assert refused.error and "not found" in refused.error


def test_a_create_that_may_have_been_sent_is_looked_up_by_its_correlation_key(
    sandbox: RunningSandbox,
) -> None:
    pd = adapter(sandbox)
    data = {"first_name": "Ada", "last_name": "Once"}
    [first] = pd.write(Entity.CONTACT, [OutboundRecord("local:pd-1", data)])
    made = sandbox.control.get(P, TENANT, "persons", str(first.new_external_id))
    assert made is not None
    assert made.fields[custom_key("acme", "persons", "ToothPick id")] == "local:pd-1"
    sandbox.control.reset_stats(system=P)
    retry = OutboundRecord("local:pd-1", data | {"last_name": "Again"}, maybe_sent=True)
    [again] = pd.write(Entity.CONTACT, [retry])
    assert again.new_external_id == first.new_external_id  # adopted, not made twice
    calls = {
        (r["method"], r["op"]): r["count"] for r in sandbox.control.stats(system=P)["requests"]
    }
    assert calls == {("GET", "search"): 1, ("PATCH", "update"): 1}
    [fresh] = pd.write(Entity.CONTACT, [OutboundRecord("local:pd-2", data, maybe_sent=True)])
    assert fresh.new_external_id not in (None, first.new_external_id)  # nothing found: created


def test_an_object_without_the_correlation_field_refuses_creates_in_one_line(
    sandbox: RunningSandbox,
) -> None:
    pd = adapter(sandbox, correlation_field="Not there")
    [refused] = pd.write(Entity.CONTACT, [OutboundRecord("local:pd-3", {"last_name": "X"})])
    assert refused.error is not None and "correlation_field" in refused.error
    plain = adapter(sandbox, correlation_field="")
    [made] = plain.write(Entity.CONTACT, [OutboundRecord("local:pd-4", {"last_name": "Y"})])
    assert made.error is None and made.new_external_id


def test_custom_fields_are_offered_and_carried_both_ways(sandbox: RunningSandbox) -> None:
    offered = {f.name: f for f in adapter(sandbox).discover_fields(Entity.CONTACT)}
    assert offered[f"custom_fields.{LOYALTY}"].label == "Loyalty tier"
    tier = FieldOverride(
        entity=Entity.CONTACT,
        canonical_field="custom.tier",
        vendor_field=f"custom_fields.{LOYALTY}",
    )
    pipedrive = adapter(sandbox, overrides=(tier,))
    record = records(pipedrive.read(Entity.CONTACT, since=None, resume=None))[0]
    assert record.data["custom"]["tier"]
    data = {**record.data, "custom": {"tier": "Platinum"}}
    [result] = pipedrive.write(
        Entity.CONTACT, [OutboundRecord(record.external_id, data, ("custom",))]
    )
    truth = sandbox.control.get(P, TENANT, "persons", record.external_id)
    assert result.error is None and truth is not None and truth.fields[LOYALTY] == "Platinum"


def test_oauth_refresh_follows_the_api_domain(sandbox: RunningSandbox) -> None:
    saved: list[dict[str, str]] = []
    pipedrive = adapter(sandbox, secret=OAUTH, saved=saved)
    assert pipedrive.check().ok
    assert (
        saved[-1]["api_domain"] == sandbox.url
        and saved[-1]["refresh_token"] == OAUTH["refresh_token"]
    )
    sandbox.control.add_fault({"system": P, "op": "list", "sequence": ["ok", "token_expired"]})
    assert len(records(pipedrive.read(Entity.CONTACT, since=None, resume=None))) == 1100
    assert len(saved) == 2  # refreshed once, mid-pagination
    with pytest.raises(NeedsReconnectError):
        adapter(sandbox, secret={**OAUTH, "refresh_token": "revoked"}).read(
            Entity.ACCOUNT, since=None, resume=None
        ).__next__()


def test_a_refused_api_token_and_missing_credentials(sandbox: RunningSandbox) -> None:
    with pytest.raises(VendorAuthError, match="unauthorized access"):
        list(
            adapter(sandbox, secret={"api_token": "0" * 40}).read(
                Entity.ACCOUNT, since=None, resume=None
            )
        )
    with pytest.raises(InvalidInputError, match="API token"):
        adapter(sandbox, secret={})


def test_a_spent_daily_budget_pauses_and_a_burst_waits(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault(
        {"system": P, "op": "list", "sequence": [{"kind": "rate_limited", "retry_after_s": 1}]}
    )
    pipedrive = adapter(sandbox)
    assert len(records(pipedrive.read(Entity.ACCOUNT, since=None, resume=None))) == 20
    assert pipedrive.stats.retries == 1
    sandbox.control.add_fault({"system": P, "op": "list", "sequence": ["daily_limit"]})
    with pytest.raises(QuotaExhaustedError) as spent:
        list(adapter(sandbox).read(Entity.ACCOUNT, since=None, resume=None))
    assert spent.value.resets_at > datetime.now(UTC)


def test_an_activity_create_that_may_have_been_sent_is_found_in_the_activities_list(
    sandbox: RunningSandbox,
) -> None:
    pd = adapter(sandbox)
    person = next(r.id for r in sandbox.control.iter_records(P, TENANT, "persons"))
    linked = {"subject": "Call back", "kind": "call", "contact_external_id": person}
    loose = {"subject": "Tidy the pipeline", "kind": "task"}
    sent = [OutboundRecord("local:act-1", linked), OutboundRecord("local:act-2", loose)]
    first = pd.write(Entity.ACTIVITY, sent)
    # the answers were lost: the same creates again, flagged as maybe sent
    again = pd.write(Entity.ACTIVITY, [replace(r, maybe_sent=True) for r in sent])
    assert [r.new_external_id for r in again] == [r.new_external_id for r in first]
    key = custom_key("acme", "activities", "ToothPick id")
    keys = [r.fields.get(key) for r in sandbox.control.iter_records(P, TENANT, "activities")]
    assert keys.count("local:act-1") == keys.count("local:act-2") == 1
    fresh = OutboundRecord("local:act-3", loose, maybe_sent=True)
    [made] = pd.write(Entity.ACTIVITY, [fresh])  # nothing found: created
    assert made.new_external_id not in (None, *(r.new_external_id for r in first))
