"""A vendor field added, renamed or removed between runs (issue 15, point 2), on all seven
systems, through the real service and worker against the sandbox over HTTP.

A connection maps a vendor custom field; the vendor's admin then renames or deletes it.
Most vendors just stop returning it (HubSpot ignores an unknown property, Pipedrive omits
the key) and some refuse the query (Salesforce INVALID_FIELD, Odoo "Invalid field", SAP
400): either way the next run must fail with one line that names the entity and the
missing vendor field, and leave the stored values as they were. An added field shows in
field discovery and, once mapped, its backfill fills every record; an unmapped field that
disappears changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest

from core.models import Entity, FieldOverride, RunState, SyncRun
from core.schemas import ConnectionUpdate
from core.worker import Worker
from tests.proof.conftest import ORG, Hub


@dataclass(frozen=True)
class Plan:
    """Where each system keeps an admin's custom field and how the record names it."""

    entity: Entity
    prefix: str  # the field's path in the vendor record, before its name
    names: tuple[str, str, str]  # a field, its new name after a rename, a second field


def _hex(word: str) -> str:  # Pipedrive names a custom field by a 40-hex key
    return hashlib.sha1(word.encode(), usedforsecurity=False).hexdigest()


PLANS: dict[str, Plan] = {
    "sap": Plan(Entity.CUSTOMER, "", ("YY1_ProofNote_bus", "YY1_ProofMemo_bus", "YY1_Proof2_bus")),
    "odoo": Plan(Entity.CUSTOMER, "", ("x_proof_note", "x_proof_memo", "x_proof_second")),
    "oracle": Plan(Entity.CUSTOMER, "", ("ProofNote_c", "ProofMemo_c", "ProofSecond_c")),
    "salesforce": Plan(Entity.ACCOUNT, "", ("Proof_Note__c", "Proof_Memo__c", "Proof_2__c")),
    "hubspot": Plan(Entity.ACCOUNT, "properties.", ("proof_note", "proof_memo", "proof_second")),
    "zoho": Plan(Entity.ACCOUNT, "", ("Proof_Note", "Proof_Memo", "Proof_Second")),
    "pipedrive": Plan(
        Entity.ACCOUNT,
        "custom_fields.",
        (_hex("proof note"), _hex("proof memo"), _hex("proof second")),
    ),
}


class Vendor:
    """The vendor's admin, on the tenant of the proof's entity (sandbox control API)."""

    def __init__(self, hub: Hub) -> None:
        self.hub, self.plan = hub, PLANS[hub.case.id]
        self.object = hub.case.objects[self.plan.entity]

    def change(self, **change: Any) -> list[str]:
        case = self.hub.case
        return self.hub.sandbox.control.change_fields(
            case.system.value, case.tenant, self.object, **change
        )

    def values(self, name: str) -> dict[str, Any]:
        case = self.hub.case
        records = self.hub.sandbox.control.iter_records(case.system.value, case.tenant, self.object)
        return {t.id: t.fields.get(name) for t in records if not t.deleted}


def _map(hub: Hub, fields: dict[str, str]) -> None:
    plan = PLANS[hub.case.id]
    overrides = [
        FieldOverride(
            entity=plan.entity, canonical_field=f"custom.{c}", vendor_field=plan.prefix + v
        )
        for c, v in fields.items()
    ]
    hub.service.connections.update_connection(
        ORG, hub.connection.id, ConnectionUpdate(field_overrides=overrides)
    )


def _run_queued(hub: Hub) -> list[SyncRun]:
    """Run what the product queued by itself (a mapping change's backfill)."""
    runs = hub.service.syncs.list_runs(ORG, connection_id=hub.connection.id).items
    done = []
    for run in [r for r in runs if r.state is RunState.QUEUED]:
        Worker(hub.service, worker_id="proof-worker").run_by_id(run.id)
        done.append(hub.service.syncs.get_run(ORG, run.id))
    return done


def _custom(hub: Hub, entity: Entity, name: str) -> dict[str, Any]:
    return {k: (v.get("custom") or {}).get(name) for k, v in hub.stored(entity).items()}


def _text(value: Any) -> Any:
    """A custom value as the hub stores it (raw vendor value; numbers may come as text)."""
    return None if value in (None, "") else str(value)


def _synced(hub: Hub) -> tuple[Vendor, dict[str, Any]]:
    """A custom field added by the vendor's admin, mapped, and read for every record."""
    vendor = Vendor(hub)
    note = vendor.plan.names[0]
    assert note in vendor.change(add=[{"name": note, "type": "string", "label": "Proof note"}])
    _map(hub, {"note": note})
    for run in _run_queued(hub):
        assert run.state is RunState.SUCCEEDED, run.error
    run = hub.sync(entities=[vendor.plan.entity], full=True)
    assert run.state is RunState.SUCCEEDED, run.error
    held = _custom(hub, vendor.plan.entity, "note")
    _assert_as_vendor(held, vendor.values(note))
    return vendor, held


def _assert_as_vendor(held: dict[str, Any], truth: dict[str, Any]) -> None:
    """Every stored record carries the vendor's value (an entity may hold a part of the
    vendor's object: Odoo's customers are the partners that are customers)."""
    assert held and set(held) <= set(truth), sorted(set(held) - set(truth))[:5]
    assert {k: _text(v) for k, v in held.items()} == {k: _text(truth[k]) for k in held}
    assert all(v is not None for v in held.values())


def _fails_in_one_line(hub: Hub, vendor: Vendor, run: SyncRun, missing: str) -> None:
    entity = vendor.plan.entity
    assert run.state is RunState.FAILED, (run.state, run.error)
    error = run.error or ""
    assert "\n" not in error.strip(), error
    assert entity.value in error and missing in error and "mapping" in error, error
    c = run.counts[entity]
    # Told by the vendor's metadata (one listing), before a record was asked for.
    assert c.metadata_calls >= 1 and c.read_calls == 0 and c.read == c.updated == 0, c


@pytest.mark.parametrize("how", ["rename", "delete"])
def test_a_mapped_field_gone_fails_the_run_in_one_line_and_keeps_the_values(
    hub: Hub, how: str
) -> None:
    vendor, held = _synced(hub)
    note, memo, _ = vendor.plan.names
    if how == "rename":
        vendor.change(rename={note: memo})
    else:
        vendor.change(delete=[note])
    for full in (False, True):
        run = hub.sync(entities=[vendor.plan.entity], full=full)
        _fails_in_one_line(hub, vendor, run, note)
        assert _custom(hub, vendor.plan.entity, "note") == held  # nothing emptied or partial
    # Field discovery shows the vendor's fields as they are now: the renamed one, not the old.
    listed = {
        f.name
        for f in hub.service.connections.discover_fields(ORG, hub.connection.id, vendor.plan.entity)
    }
    assert vendor.plan.prefix + note not in listed
    assert (vendor.plan.prefix + memo in listed) is (how == "rename")
    # Mapped again to the new name, the next run succeeds with the vendor's values.
    if how == "rename":
        _map(hub, {"note": memo})
        for run in _run_queued(hub):
            assert run.state is RunState.SUCCEEDED, run.error
        run = hub.sync(entities=[vendor.plan.entity])
        assert run.state is RunState.SUCCEEDED, run.error
        assert _custom(hub, vendor.plan.entity, "note") == held


def test_an_added_field_is_discovered_and_its_mapping_fills_every_record(hub: Hub) -> None:
    vendor, held = _synced(hub)
    note, _, second = vendor.plan.names
    entity = vendor.plan.entity
    vendor.change(add=[{"name": second, "type": "string"}])
    found = hub.service.connections.discover_fields(ORG, hub.connection.id, entity)
    listed = {f.name for f in found}
    assert vendor.plan.prefix + second in listed, sorted(listed)
    _map(hub, {"note": note, "second": second})
    runs = _run_queued(hub)
    assert runs and all(r.state is RunState.SUCCEEDED for r in runs), [r.error for r in runs]
    _assert_as_vendor(_custom(hub, entity, "second"), vendor.values(second))
    assert _custom(hub, entity, "note") == held


def test_an_unmapped_field_deleted_changes_nothing(hub: Hub) -> None:
    vendor, held = _synced(hub)
    _, _, second = vendor.plan.names
    entity = vendor.plan.entity
    vendor.change(add=[{"name": second, "type": "string"}])
    before = hub.stored(entity)
    vendor.change(delete=[second])
    for full in (False, True):
        run = hub.sync(entities=[entity], full=full)
        assert run.state is RunState.SUCCEEDED, run.error
    assert hub.stored(entity) == before
    assert _custom(hub, entity, "note") == held
