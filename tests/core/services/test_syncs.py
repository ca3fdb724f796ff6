"""The syncs area alone: the processes' side of runs (claim, heartbeat, outcome) and the
scheduler's list, on a SQLite store file with the memory vendor behind the registry."""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from core.errors import FailureCategory
from core.models import (
    AlertKind,
    Entity,
    EntityCounts,
    RunProgress,
    RunState,
    Schedule,
    SyncRun,
)
from core.runtime import Runtime
from core.schemas import ConnectionUpdate, RunOutcome
from core.services.connections import ConnectionService
from core.services.monitoring import MonitoringService
from core.services.syncs import SyncService
from core.sync.control import NoControl
from tests.core.service_support import ORG
from tests.core.services.conftest import create


def test_a_run_goes_from_queued_to_claimed_to_finished(
    syncs: SyncService, connections: ConnectionService
) -> None:
    queued = syncs.queue_sync(ORG, create(connections, ORG).id)
    claimed = syncs.claim_next_run("w1", stale_after_s=60)
    assert claimed is not None and claimed.id == queued.id
    assert syncs.claim_next_run("w2", stale_after_s=60) is None  # one run, one worker
    counts = {Entity.CONTACT: EntityCounts(read=3, created=3)}
    ack = syncs.heartbeat(claimed.id, "w1", progress=RunProgress(records=3), counts=counts)
    assert ack.owned and not ack.cancel_requested
    assert syncs.get_run(ORG, queued.id).progress.records == 3
    outcome = syncs.execute_claimed_run(claimed, NoControl())
    assert outcome.state is RunState.SUCCEEDED
    assert syncs.record_outcome(claimed, "w1", outcome)
    assert syncs.get_run(ORG, queued.id).state is RunState.SUCCEEDED


def test_a_cancel_reaches_the_worker_through_its_heartbeat(
    syncs: SyncService, connections: ConnectionService
) -> None:
    queued = syncs.queue_sync(ORG, create(connections, ORG).id)
    claimed = syncs.claim_run(queued.id, "w1", stale_after_s=60)
    assert claimed is not None
    assert syncs.claim_run(queued.id, "w2", stale_after_s=60) is None
    syncs.cancel_run(ORG, queued.id)
    ack = syncs.heartbeat(claimed.id, "w1", progress=RunProgress(), counts={})
    assert ack.owned and ack.cancel_requested


def test_a_stale_run_is_taken_over_and_the_old_worker_loses_it(
    syncs: SyncService, connections: ConnectionService
) -> None:
    queued = syncs.queue_sync(ORG, create(connections, ORG).id)
    assert syncs.claim_next_run("w1", stale_after_s=60) is not None
    taken = syncs.claim_next_run("w2", stale_after_s=-1)  # every heartbeat counts as stale
    assert taken is not None and taken.id == queued.id
    assert not syncs.heartbeat(queued.id, "w1", progress=RunProgress(), counts={}).owned
    lost = RunOutcome(state=RunState.SUCCEEDED, counts={})
    assert not syncs.record_outcome(taken, "w1", lost)


def test_a_failed_outcome_raises_the_monitoring_alert(
    syncs: SyncService, connections: ConnectionService, monitoring: MonitoringService
) -> None:
    queued = syncs.queue_sync(ORG, create(connections, ORG).id)
    claimed = syncs.claim_next_run("w1", stale_after_s=60)
    assert claimed is not None
    failed = RunOutcome(
        state=RunState.FAILED,
        counts={},
        error="vendor unreachable",
        error_category=FailureCategory.TRANSIENT,
    )
    assert syncs.record_outcome(claimed, "w1", failed)
    assert [a.kind for a in monitoring.alerts(ORG)] == [AlertKind.CONNECTIVITY]
    assert syncs.get_run(ORG, queued.id).error == "vendor unreachable"


def test_the_scheduler_list_has_only_scheduled_connections_and_their_next_sync(
    syncs: SyncService, connections: ConnectionService, runtime: Runtime
) -> None:
    default = create(connections, ORG, "default")
    nightly = create(connections, ORG, "nightly", schedule=Schedule(cron="0 2 * * *"))
    off = create(connections, ORG, "off", schedule=Schedule(enabled=False))
    disabled = create(connections, ORG, "disabled")
    connections.set_enabled(ORG, disabled.id, False)
    before = utcnow()
    listed = {s.name: s for s in syncs.scheduled_connections()}
    assert set(listed) == {"default", "nightly"}
    assert listed["default"].interval_hours == runtime.settings.sync_interval_hours
    assert listed["default"].cron is None and listed["nightly"].cron == "0 2 * * *"
    assert listed["nightly"].connection_id == nightly.id
    first = listed["default"].next_sync_at
    assert first is not None and first >= before  # never synced: due now

    run = runtime.store.create_run(
        SyncRun(organisation_id=ORG, connection_id=default.id, system=default.system)
    )
    connections.update_connection(
        ORG, default.id, ConnectionUpdate(schedule=Schedule(interval_hours=2))
    )
    again = {s.name: s for s in syncs.scheduled_connections()}
    assert again["default"].interval_hours == 2
    assert again["default"].next_sync_at == run.created_at + timedelta(hours=2)
    assert off.id not in {s.connection_id for s in again.values()}
