"""Deletes made in ToothPick reach the vendor: every adapter's `delete` against the
sandbox over real HTTP, through the adapter the service builds for a connection.

Deleted records leave the vendor's truth and the next incremental read reports them
deleted (SAP's and Oracle's APIs keep no trace of a deleted record: there they can no
longer be fetched); an id the vendor does not hold is already deleted; a long id list
goes in the vendor's batches; a record the vendor refuses to delete fails alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from adapters import registry
from adapters.base import OutboundRecord
from adapters.base_adapter import BaseAdapter
from core.errors import InvalidInputError, QuotaExhaustedError
from core.models import Entity, Organisation, System
from core.schemas import ConnectionCreate
from core.service import IntegrationService
from core.settings import load_settings
from sandbox.testing import RunningSandbox, run_sandbox
from tests.proof.case import ProofCase, all_cases

ORG = "deletes"


@dataclass(frozen=True)
class DeleteCase:
    entity: Entity
    object_name: str
    # ids the vendor holds no record of, well formed for it: `n` of them
    unknown: Callable[[int, str], list[str]]
    batch: int  # ids per deleting call (1: a call per record)
    # vendor fields a record needs to be deletable, and to be refused (None: no such rule)
    deletable: dict[str, Any]
    refusable: dict[str, Any] | None = None
    # an id the vendor refuses as malformed (None: it answers such an id as not found)
    malformed: str | None = None
    feed: bool = True  # the vendor's changes read shows deletions
    reads_per_batch: int = 0  # look-ups before a batch's delete (Odoo's search)


def _numbers(start: int) -> Callable[[int, str], list[str]]:
    return lambda n, _like: [str(start + i) for i in range(n)]


def _salesforce_ids(n: int, like: str) -> list[str]:
    return [f"{like[:6]}ZZZZ{i:05d}" for i in range(n)]  # the object's prefix, no record


CASES = {
    System.SALESFORCE: DeleteCase(
        Entity.CONTACT, "Contact", _salesforce_ids, 200, {}, malformed="not-an-id"
    ),
    System.HUBSPOT: DeleteCase(Entity.CONTACT, "contacts", _numbers(9_000_000_000), 100, {}),
    System.ZOHO: DeleteCase(
        Entity.CONTACT, "Contacts", _numbers(9_000_000_000_000), 100, {}, malformed="not-an-id"
    ),
    System.PIPEDRIVE: DeleteCase(
        Entity.CONTACT, "persons", _numbers(90_000_000), 1, {}, malformed="not-an-id"
    ),
    System.ODOO: DeleteCase(
        Entity.QUOTE,
        "sale.order",
        _numbers(90_000_000),
        1000,
        {"state": "draft"},
        {"state": "sale"},  # "You can not delete a sent quotation or a confirmed sales order"
        reads_per_batch=1,
    ),
    System.ORACLE: DeleteCase(
        Entity.CUSTOMER,
        "accounts",
        lambda n, _like: [f"TPX{i}" for i in range(n)],
        100,
        {},
        feed=False,
    ),
    System.SAP: DeleteCase(
        Entity.ORDER,
        "A_SalesOrder",
        _numbers(9_900_000_000),
        100,
        {"OverallSDProcessStatus": "A"},
        {"OverallSDProcessStatus": "C"},  # in process: SAP keeps its follow-on documents
        feed=False,
    ),
}
PROOF_CASES = {case.system: case for case in all_cases()}


def _pull_only(system: System) -> list[Entity]:
    entities = registry.adapter_class(system).info.entities
    return [e.entity for e in entities if e.supported and not e.writable]


SYSTEMS = [s for s in System if s in CASES]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(data_dir=tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@dataclass
class Vendor:
    """One system's sandbox tenant and an adapter the service built for it."""

    system: System
    proof: ProofCase
    case: DeleteCase
    sandbox: RunningSandbox
    adapter: BaseAdapter

    def make(self, count: int, *, object_name: str | None = None, **fields: Any) -> list[str]:
        """`count` new records of the case's object (or `object_name`) that nothing refers
        to, made with the required fields of an existing one."""
        control, system, tenant = self.sandbox.control, self.system.value, self.proof.tenant
        name = object_name or self.case.object_name
        required = control.required_fields(system, tenant, name)
        [model] = islice(control.iter_records(system, tenant, name), 1)
        base = {f: model.fields.get(f) for f in required} | fields
        if object_name is None:
            base = base | self.case.deletable | fields
        return [control.create(system, tenant, name, base).id for _ in range(count)]

    def held(self, ids: list[str]) -> set[str]:
        control, system, tenant = self.sandbox.control, self.system.value, self.proof.tenant
        return {i for i in ids if control.get(system, tenant, self.case.object_name, i)}

    def writes(self) -> int:
        return self.adapter.stats.by_kind.get("write", 0)


@pytest.fixture(params=SYSTEMS, ids=[s.value for s in SYSTEMS])
def vendor(
    request: pytest.FixtureRequest,
    sandbox: RunningSandbox,
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Vendor]:
    system: System = request.param
    proof = PROOF_CASES[system]
    sandbox.control.clear_faults()
    sandbox.control.reset(system.value, proof.tenant, scale=dict(proof.scale))
    for name, value in proof.environment(sandbox).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TOOTHPICK_VENDOR_READ_TIMEOUT_S", os.environ.get("PROOF_READ_TIMEOUT", "3"))
    service = IntegrationService.open(load_settings())
    service.runtime.store.ensure_organisation(Organisation(id=ORG, name="Deletes"))
    public = service.connections.connect(
        ORG,
        ConnectionCreate(
            system=system,
            name=f"{system.value} deletes",
            fields=proof.connection_fields(sandbox) | _sweep(system),
            entities=[CASES[system].entity],
        ),
    )
    connection = service.runtime.store.get_connection(ORG, public.id)
    assert connection is not None
    adapter = service.connections.open_adapter(connection, store_refreshed=False)
    assert isinstance(adapter, BaseAdapter)
    try:
        yield Vendor(system, proof, CASES[system], sandbox, adapter)
    finally:
        adapter.close()
        service.close()


def _sweep(system: System) -> dict[str, Any]:
    """Odoo shows deletions to a changes read through its sweep of missing ids."""
    return {"detect_deletions": True} if system is System.ODOO else {}


def test_deleted_records_leave_the_vendor_and_the_next_read_says_so(vendor: Vendor) -> None:
    case = vendor.case
    made = vendor.make(4)
    since = datetime.now(UTC) - timedelta(minutes=1)
    gone = made[1:3]  # between live ones (Odoo's sweep sees ids missing between live ones)
    results = vendor.adapter.delete(case.entity, gone)
    assert [(r.external_id, r.error, r.new_external_id) for r in results] == [
        (i, None, None) for i in gone
    ]
    assert vendor.held(made) == {made[0], made[3]}
    if case.feed:
        seen = {
            r.external_id: r.deleted
            for page in vendor.adapter.read(case.entity, since=since, resume=None)
            for r in page.records
        }
        assert all(seen.get(i) is True for i in gone), {i: seen.get(i) for i in gone}
        assert seen.get(made[0]) is False
    fetched = {r.external_id for r in vendor.adapter.fetch(case.entity, made) if not r.deleted}
    assert fetched == {made[0], made[3]}


def test_a_record_already_gone_or_never_there_counts_as_deleted(vendor: Vendor) -> None:
    case = vendor.case
    made, live = vendor.make(2)
    first = vendor.adapter.delete(case.entity, [made])
    assert first[0].error is None
    unknown = case.unknown(1, made)
    # with a live one between (Oracle runs a batch all or none: the live one is sent again)
    again = vendor.adapter.delete(case.entity, [made, live, *unknown])
    assert [(r.external_id, r.error) for r in again] == [
        (made, None),
        (live, None),
        (unknown[0], None),
    ]
    assert not vendor.held([made, live])
    calls = vendor.adapter.stats.api_calls
    assert vendor.adapter.delete(case.entity, []) == []
    assert vendor.adapter.stats.api_calls == calls


def test_more_ids_than_one_batch_take_one_call_per_batch(vendor: Vendor) -> None:
    case = vendor.case
    size = case.batch + 1 if case.batch > 1 else 5
    ids = vendor.make(size)
    before = vendor.adapter.stats.snapshot()
    results = vendor.adapter.delete(case.entity, ids)
    spent = vendor.adapter.stats.minus(before)
    assert [(r.external_id, r.error) for r in results] == [(i, None) for i in ids]
    assert not vendor.held(ids)
    batches = -(-size // case.batch)
    assert spent.by_kind.get("write", 0) == batches, spent.by_kind
    if case.reads_per_batch:  # Odoo's search for the ids still there
        assert spent.by_kind.get("read", 0) == case.reads_per_batch * batches, spent.by_kind


# HubSpot's batch archive answers 204 for every well-formed id, and the sandbox's Oracle
# deletes every account: neither refuses a delete record by record.
REFUSING = [s for s in SYSTEMS if CASES[s].refusable or CASES[s].malformed]


@pytest.mark.parametrize("vendor", REFUSING, ids=[s.value for s in REFUSING], indirect=True)
def test_a_refused_record_fails_alone_and_its_neighbours_are_deleted(vendor: Vendor) -> None:
    case = vendor.case
    made = vendor.make(2)
    refused = vendor.make(1, **case.refusable)[0] if case.refusable else str(case.malformed)
    ids = [made[0], refused, made[1]]
    results = vendor.adapter.delete(case.entity, ids)
    assert [r.external_id for r in results] == ids
    assert results[0].error is None and results[2].error is None
    assert results[1].error, "the refused record carries the vendor's words"
    assert not vendor.held(made)
    if case.refusable:
        assert vendor.held([refused]) == {refused}


PULL_ONLY = [s for s in SYSTEMS if _pull_only(s)]


@pytest.mark.parametrize("vendor", PULL_ONLY, ids=[s.value for s in PULL_ONLY], indirect=True)
def test_an_entity_the_vendor_takes_no_writes_of_is_refused_in_words(vendor: Vendor) -> None:
    pull_only = _pull_only(vendor.system)[0]
    before = vendor.adapter.stats.api_calls
    with pytest.raises(InvalidInputError, match="does not accept writes"):
        vendor.adapter.delete(pull_only, ["1"])
    assert vendor.adapter.stats.api_calls == before


@pytest.mark.parametrize("vendor", [System.ORACLE], ids=["oracle"], indirect=True)
def test_an_entity_the_api_writes_but_cannot_delete_is_refused_per_record(vendor: Vendor) -> None:
    """Oracle's items take writes but have no DELETE (Fusion deletes items through
    deletion groups): each record says so, and nothing is sent."""
    before = vendor.adapter.stats.api_calls
    results = vendor.adapter.delete(Entity.PRODUCT, ["A1", "A2"])
    assert [r.external_id for r in results] == ["A1", "A2"]
    assert all(r.error and "cannot delete" in r.error for r in results)
    assert vendor.adapter.stats.api_calls == before


@pytest.mark.parametrize("vendor", [System.SAP], ids=["sap"], indirect=True)
def test_sap_deletes_a_product_by_its_deletion_flag(vendor: Vendor) -> None:
    """A_Product has no DELETE; SAP deletes a product by flagging it, and the adapter
    reads a flagged product as deleted."""
    flagged, kept = vendor.make(2, object_name="A_Product")
    before = vendor.adapter.stats.snapshot()
    results = vendor.adapter.delete(Entity.PRODUCT, [flagged])
    assert [(r.external_id, r.error) for r in results] == [(flagged, None)]
    assert vendor.adapter.stats.minus(before).by_kind.get("write") == 1
    control, tenant = vendor.sandbox.control, vendor.proof.tenant
    truth = control.get("sap", tenant, "A_Product", flagged)
    assert truth is not None and truth.fields["IsMarkedForDeletion"] is True
    seen = {r.external_id: r.deleted for r in vendor.adapter.fetch(Entity.PRODUCT, [flagged, kept])}
    assert seen == {flagged: True, kept: False}


def test_an_update_beside_the_deletes_is_charged_as_a_write_too(vendor: Vendor) -> None:
    """A repeatable write (Salesforce's and HubSpot's PATCH-like batches, Zoho's upsert,
    Odoo's load) is sent with `idempotent=True` so the session may retry it; the budget
    still counts it a write, as it counts the deletes."""
    case = vendor.case
    [one] = vendor.make(1)
    [record] = vendor.adapter.fetch(case.entity, [one])
    changed = next(
        (r.canonical for r in vendor.adapter.field_map(case.entity).rules if r.writable), None
    )
    assert changed is not None
    before = vendor.adapter.stats.snapshot()
    [result] = vendor.adapter.write(case.entity, [OutboundRecord(one, record.data, (changed,))])
    spent = vendor.adapter.stats.minus(before)
    assert result.error is None, result.error
    assert spent.by_kind.get("write", 0) >= 1, spent.by_kind


def test_a_refusal_of_the_whole_call_raises_and_deletes_nothing(vendor: Vendor) -> None:
    """The vendor's daily allowance spent: the delete raises (the run pauses), as a write
    does, instead of answering each record with an error."""
    case = vendor.case
    warm, *made = vendor.make(3)
    assert vendor.adapter.delete(case.entity, [warm])[0].error is None  # logged in
    control = vendor.sandbox.control
    control.add_fault(
        {"system": vendor.system.value, "tenant": vendor.proof.tenant, "sequence": ["daily_limit"]}
    )
    with pytest.raises(QuotaExhaustedError):
        vendor.adapter.delete(case.entity, made)
    assert vendor.held(made) == set(made)
