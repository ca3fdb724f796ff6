"""Which entities and fields a mapping change touches (each one gets a backfill)."""

from __future__ import annotations

from core.errors import FailureCategory
from core.models import Direction, Entity, FieldOverride, RunState, SyncRun
from core.runtime import Runtime
from core.schemas import ConnectionUpdate, LogFilter, RunOutcome
from core.services.backfill import MappingBackfill, mapping_changes
from core.services.connections import ConnectionService
from core.services.syncs import SyncService
from tests.core.service_support import ORG
from tests.core.services.conftest import create


def _o(entity: Entity, canonical: str, vendor: str, **kw: object) -> FieldOverride:
    return FieldOverride.model_validate(
        {"entity": entity, "canonical_field": canonical, "vendor_field": vendor, **kw}
    )


def test_added_changed_and_removed_mappings_are_changes_and_the_rest_is_not() -> None:
    kept = _o(Entity.CONTACT, "custom.tier", "Tier__c")
    before = [kept, _o(Entity.CONTACT, "title", "Title"), _o(Entity.ACCOUNT, "name", "Name")]
    after = [
        kept,
        _o(Entity.CONTACT, "title", "Title", direction=Direction.PULL),  # changed
        _o(Entity.CONTACT, "custom.new", "New__c"),  # added
    ]  # the account's mapping removed
    assert mapping_changes(before, after) == {
        Entity.ACCOUNT: ["name"],
        Entity.CONTACT: ["custom.new", "title"],
    }
    assert mapping_changes(before, list(reversed(before))) == {}


# -- a change while a run is queued or in flight: pending, queued when the run ends ----------


def _finish(syncs: SyncService, run: SyncRun) -> None:
    claimed = syncs.claim_run(run.id, "worker", stale_after_s=60)
    assert claimed is not None
    assert syncs.record_outcome(claimed, "worker", RunOutcome(state=RunState.SUCCEEDED, counts={}))


def _active(syncs: SyncService, connection_id: str) -> list[SyncRun]:
    runs = syncs.list_runs(ORG, connection_id=connection_id).items
    return [r for r in runs if r.state in (RunState.QUEUED, RunState.RUNNING)]


def test_changes_during_a_run_are_backfilled_together_when_it_ends(
    runtime: Runtime, connections: ConnectionService, syncs: SyncService
) -> None:
    backfill = MappingBackfill(store=runtime.store, queue_sync=syncs.queue_sync)
    connections.on_mapping_change(backfill)
    syncs.on_run_end(backfill.queue_pending)
    connection = create(connections, ORG)
    running = syncs.queue_sync(ORG, connection.id)
    tier = _o(Entity.CONTACT, "custom.tier", "tier")
    for overrides in ([tier], [tier, _o(Entity.CONTACT, "title", "jobtitle")]):
        connections.update_connection(
            ORG, connection.id, ConnectionUpdate(field_overrides=overrides)
        )
    assert [r.id for r in _active(syncs, connection.id)] == [running.id]  # nothing lost yet:
    stored = runtime.store.get_connection(ORG, connection.id)
    assert stored is not None
    assert backfill.pending(stored) == {Entity.CONTACT: ["title", "custom.tier"]}

    _finish(syncs, running)
    [follow] = _active(syncs, connection.id)
    assert follow.options.backfill
    assert follow.options.backfill_fields == {Entity.CONTACT: ["title", "custom.tier"]}
    assert follow.options.direction is Direction.PULL
    assert backfill.pending(stored) == {}
    said = [e.message for e in runtime.store.query_logs(ORG, LogFilter(text="during run")).items]
    assert said == [
        f"Field mapping changed during run {running.id} (contact: title, custom.tier): "
        f"backfill queued after it (run {follow.id})"
    ]


def test_a_backfill_refused_at_a_runs_end_waits_for_the_next_end(
    runtime: Runtime, connections: ConnectionService, syncs: SyncService
) -> None:
    backfill = MappingBackfill(store=runtime.store, queue_sync=syncs.queue_sync)
    connections.on_mapping_change(backfill)
    connection = create(connections, ORG)
    first = syncs.queue_sync(ORG, connection.id)
    connections.update_connection(
        ORG,
        connection.id,
        ConnectionUpdate(field_overrides=[_o(Entity.CONTACT, "custom.tier", "tier")]),
    )
    _finish(syncs, first)  # no listener: as if another follow-up took the connection first
    second = syncs.queue_sync(ORG, connection.id)
    assert backfill.queue_pending(first) is None  # refused: `second` is active
    _finish(syncs, second)
    follow = backfill.queue_pending(second)
    assert follow is not None and follow.options.backfill_fields == {
        Entity.CONTACT: ["custom.tier"]
    }
    assert backfill.queue_pending(second) is None  # queued once


def test_a_failed_backfill_is_pending_again_and_queued_after_the_next_run_not_its_own(
    runtime: Runtime, connections: ConnectionService, syncs: SyncService
) -> None:
    backfill = MappingBackfill(store=runtime.store, queue_sync=syncs.queue_sync)
    connections.on_mapping_change(backfill)
    syncs.on_run_end(backfill.queue_pending)
    connection = create(connections, ORG)
    connections.update_connection(
        ORG,
        connection.id,
        ConnectionUpdate(field_overrides=[_o(Entity.CONTACT, "custom.tier", "tier")]),
    )
    [queued] = _active(syncs, connection.id)
    assert queued.options.backfill
    claimed = syncs.claim_run(queued.id, "worker", stale_after_s=60)
    assert claimed is not None
    failed = RunOutcome(
        state=RunState.FAILED,
        counts={},
        error="mapping refused",
        error_category=FailureCategory.CONFIG,
    )
    assert syncs.record_outcome(claimed, "worker", failed)  # a failure no retry helps
    assert _active(syncs, connection.id) == []  # not again at its own end: no loop
    stored = runtime.store.get_connection(ORG, connection.id)
    assert stored is not None
    assert backfill.pending(stored) == {Entity.CONTACT: ["custom.tier"]}
    said = [e.message for e in runtime.store.query_logs(ORG, LogFilter(text="failed")).items]
    assert any(f"Backfill run {queued.id} failed (contact: custom.tier)" in m for m in said)

    _finish(syncs, syncs.queue_sync(ORG, connection.id))  # the connection's next run
    [again] = _active(syncs, connection.id)
    assert again.options.backfill_fields == {Entity.CONTACT: ["custom.tier"]}
    assert backfill.pending(stored) == {}
