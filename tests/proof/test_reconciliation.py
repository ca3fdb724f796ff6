"""Reconciliation (issue 15): records deleted, added and altered behind the hub's back
(through the sandbox's control API, no webhooks, no sync in between) are found by a
reconciliation run, named as missing, extra and stale, and repaired to the exact truth.
"""

from __future__ import annotations

from itertools import islice

import pytest

from adapters import convert
from core.models import FieldOverride, RunState, SyncRun, System
from core.schemas import ConnectionUpdate
from core.store.queries import LogFilter
from core.worker import Worker
from tests.proof.conftest import ORG, Hub
from tests.proof.test_sync_proofs import _assert_exact

BACKFILL_PROOF = {System.HUBSPOT, System.ODOO, System.ZOHO}


def test_reconciliation_finds_and_repairs_changes_made_behind_the_hubs_back(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    system, tenant = case.system.value, case.tenant
    entity = case.first_entity
    object_name = case.objects[entity]
    required = control.required_fields(system, tenant, object_name)
    model, *others = islice(control.iter_records(system, tenant, object_name), 6)

    def new_record() -> str:
        return control.create(
            system, tenant, object_name, {f: model.fields.get(f) for f in required}
        ).id

    purged = [new_record() for _ in range(2)]  # nothing refers to them: the vendor may purge
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    adapter = hub.adapter()
    try:
        counts = adapter.count(entity) is not None
    finally:
        adapter.close()

    quiet = hub.sync(reconcile=True)
    assert quiet.state is RunState.SUCCEEDED, quiet.error
    held = len(hub.truth(entity))
    c = quiet.counts[entity]
    assert c.completeness() == f"complete: {held:,} of {held:,}"
    assert (c.missing, c.extra, c.stale, c.repaired) == (0, 0, 0, 0)
    if counts:  # the vendor counts: one call proves it (plus a sign-in), nothing is listed
        assert c.api_calls <= 3 and c.pages == 0, (c.api_calls, c.pages)

    for record_id in purged:
        control.delete(system, tenant, object_name, record_id, hard=True)
    added = [new_record() for _ in range(3)]
    for record in others[:2]:
        control.update(system, tenant, object_name, record.id, case.remote_edit(entity, record))

    run = hub.sync(reconcile=True)
    assert run.state is RunState.SUCCEEDED, run.error
    c = run.counts[entity]
    assert (c.missing, c.extra, c.stale) == (len(added), len(purged), 2)
    assert c.repaired == len(added) + len(purged) + 2 and c.unexplained == 0
    held = len(hub.truth(entity))
    assert (
        c.completeness()
        == f"3 missing, 2 extra, 2 stale; 7 repaired; complete: {held:,} of {held:,}"
    )
    _assert_exact(hub)
    assert not hub.service.alerts.open_alerts("proof")


def _run_queued(hub: Hub, **wanted: object) -> SyncRun:
    """Run the one queued run the product started by itself (the backfill)."""
    queued = hub.service.syncs.list_runs(ORG, connection_id=hub.connection.id).items
    [run] = [r for r in queued if r.state is RunState.QUEUED]
    assert all(getattr(run.options, k) == v for k, v in wanted.items()), run.options
    Worker(hub.service, worker_id="proof-worker").run_by_id(run.id)
    return hub.service.syncs.get_run(ORG, run.id)


def test_mapping_and_unmapping_a_field_backfills_and_clears_every_stored_record(
    hub: Hub,
) -> None:
    """Mapping a vendor field onto a custom field fills it on every stored record, and
    unmapping it clears it everywhere, by a backfill the change queues itself (no sync)."""
    case = hub.case
    if case.system not in BACKFILL_PROOF:
        pytest.skip("the same mechanism on every system: proved on three, kept lean")
    entity = case.first_entity
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    adapter = hub.adapter()
    try:
        vendor = next(
            r.vendor
            for r in adapter.field_map(entity).rules
            if r.custom_name is None and r.convert.name == convert.TEXT.name
        )
    finally:
        adapter.close()
    mapped = FieldOverride(entity=entity, canonical_field="custom.backfilled", vendor_field=vendor)

    def change(overrides: list[FieldOverride]) -> SyncRun:
        hub.service.connections.update_connection(
            ORG, hub.connection.id, ConnectionUpdate(field_overrides=overrides)
        )
        run = _run_queued(hub, backfill=True, entities=[entity])
        assert run.state is RunState.SUCCEEDED, run.error
        return run

    run = change([mapped])
    filled = {k for k, v in hub.stored(entity).items() if v["custom"].get("backfilled")}
    assert filled and run.counts[entity].stale >= len(filled)
    _assert_exact(hub)
    said = [e.message for e in hub.service.monitoring.logs(ORG, LogFilter(text="mapping")).items]
    assert any(
        f"Field mapping changed ({entity.value}: custom.backfilled): every stored record" in m
        for m in said
    ), said

    change([])
    assert not any(v["custom"].get("backfilled") for v in hub.stored(entity).values())
    _assert_exact(hub)
