"""The alerts area: every rule opens once, notifies its transitions and clears by itself.

Outcomes go through the real path a worker takes (queue, claim, record_outcome)
on a SQLite store file; no engine runs, so each test states its outcome.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import utcnow
from core.errors import FailureCategory, NotFoundError
from core.models import (
    AlertKind,
    AlertState,
    AlertThresholds,
    ConnectionStatus,
    Entity,
    EntityCounts,
    LogEntry,
    Operation,
    RunProgress,
    RunState,
    SyncOptions,
)
from core.runtime import Runtime
from core.schemas import AlertTransition, ConnectionUpdate, RunOutcome, Transition
from core.services.alerts import AlertService
from core.services.connections import ConnectionService
from core.services.syncs import SyncService
from tests.core.service_support import ORG, OTHER_ORG
from tests.core.services.conftest import create

FAILED = RunOutcome(
    state=RunState.FAILED, counts={}, error="boom", error_category=FailureCategory.VENDOR
)
OFFLINE = RunOutcome(
    state=RunState.FAILED, counts={}, error="timed out", error_category=FailureCategory.TRANSIENT
)
OK = RunOutcome(state=RunState.SUCCEEDED, counts={})


@pytest.fixture
def heard(alerts: AlertService) -> list[AlertTransition]:
    seen: list[AlertTransition] = []
    alerts.subscribe(seen.extend)
    return seen


def _finish(
    syncs: SyncService, connection_id: str, outcome: RunOutcome, *, dry_run: bool = False
) -> None:
    run = syncs.queue_sync(ORG, connection_id, SyncOptions(dry_run=dry_run))
    claimed = syncs.claim_run(run.id, "w1", stale_after_s=60)
    assert claimed is not None
    assert syncs.record_outcome(claimed, "w1", outcome)


def _steps(heard: list[AlertTransition]) -> list[tuple[AlertKind, Transition]]:
    return [(t.alert.kind, t.transition) for t in heard]


def test_failures_open_once_then_a_success_resolves_them(
    syncs: SyncService,
    connections: ConnectionService,
    alerts: AlertService,
    heard: list[AlertTransition],
) -> None:
    connection_id = create(connections, ORG).id
    for _ in range(2):
        _finish(syncs, connection_id, FAILED)
    assert alerts.open_alerts(ORG) == []
    for _ in range(3):
        _finish(syncs, connection_id, FAILED)
    [alert] = alerts.open_alerts(ORG)
    assert alert.kind is AlertKind.CONSECUTIVE_FAILURES and alert.count == 3
    alerts.acknowledge(ORG, alert.id, by="ana")
    _finish(syncs, connection_id, FAILED)  # acknowledged is still open: counted, not reopened
    assert [a.count for a in alerts.open_alerts(ORG)] == [4]

    _finish(syncs, connection_id, OK)
    assert alerts.open_alerts(ORG) == []
    [closed] = alerts.history(ORG)
    assert closed.state is AlertState.RESOLVED and closed.resolved_by == "system"
    assert closed.acknowledged_by == "ana" and closed.resolved_at is not None
    assert _steps(heard) == [
        (AlertKind.CONSECUTIVE_FAILURES, Transition.OPENED),
        (AlertKind.CONSECUTIVE_FAILURES, Transition.ACKNOWLEDGED),
        (AlertKind.CONSECUTIVE_FAILURES, Transition.RESOLVED),
    ]


def test_connectivity_quota_and_reconnect_clear_on_the_next_success(
    syncs: SyncService,
    connections: ConnectionService,
    alerts: AlertService,
    heard: list[AlertTransition],
) -> None:
    connection_id = create(connections, ORG).id
    _finish(syncs, connection_id, OFFLINE)
    _finish(syncs, connection_id, OFFLINE)
    paused = RunOutcome(
        state=RunState.PAUSED, counts={}, resume_after=utcnow() + timedelta(hours=1)
    )
    run = syncs.queue_sync(ORG, connection_id)
    claimed = syncs.claim_run(run.id, "w1", stale_after_s=60)
    assert claimed is not None and syncs.record_outcome(claimed, "w1", paused)
    assert {a.kind for a in alerts.open_alerts(ORG)} == {AlertKind.CONNECTIVITY, AlertKind.QUOTA}
    resumed = syncs.claim_run(run.id, "w2", stale_after_s=60)
    assert resumed is None  # not before resume_after; the cancel keeps the test short
    syncs.cancel_run(ORG, run.id)
    _finish(syncs, connection_id, OK)
    assert alerts.open_alerts(ORG) == []
    assert sorted(_steps(heard)) == sorted(
        [
            (AlertKind.CONNECTIVITY, Transition.OPENED),
            (AlertKind.QUOTA, Transition.OPENED),
            (AlertKind.CONNECTIVITY, Transition.RESOLVED),
            (AlertKind.QUOTA, Transition.RESOLVED),
        ]
    )


def test_rate_limit_and_slow_responses_follow_their_thresholds(
    syncs: SyncService,
    connections: ConnectionService,
    alerts: AlertService,
    runtime: Runtime,
) -> None:
    connection_id = create(connections, ORG).id
    waited = RunOutcome(
        state=RunState.SUCCEEDED, counts={Entity.CONTACT: EntityCounts(rate_limit_wait_s=90)}
    )
    _finish(syncs, connection_id, waited)
    assert [a.kind for a in alerts.open_alerts(ORG)] == [AlertKind.RATE_LIMIT]
    alerts.set_thresholds(ORG, connection_id, AlertThresholds(rate_limit_wait_s=120))
    _finish(syncs, connection_id, waited)  # under this connection's own threshold now
    assert alerts.open_alerts(ORG) == []

    def sync_entry(ms: float) -> LogEntry:
        return LogEntry(
            organisation_id=ORG,
            connection_id=connection_id,
            operation=Operation.SYNC,
            message="sync",
            duration_ms=ms,
        )

    runtime.store.append_logs([sync_entry(2_000) for _ in range(20)])
    limits = alerts.set_thresholds(ORG, connection_id, AlertThresholds(p95_response_ms=1_000))
    assert limits.p95_response_ms == 1_000
    assert limits.consecutive_failures == runtime.settings.alert_consecutive_failures
    _finish(syncs, connection_id, OK)
    [slow] = alerts.open_alerts(ORG)
    assert slow.kind is AlertKind.SLOW_RESPONSES and "threshold 1.0 s" in slow.message
    alerts.set_thresholds(ORG, connection_id, AlertThresholds(p95_response_ms=5_000))
    _finish(syncs, connection_id, OK)
    assert alerts.open_alerts(ORG) == []


def test_dry_runs_neither_open_nor_resolve_alerts(
    syncs: SyncService, connections: ConnectionService, alerts: AlertService
) -> None:
    connection_id = create(connections, ORG).id
    for _ in range(3):
        _finish(syncs, connection_id, FAILED, dry_run=True)
    assert alerts.open_alerts(ORG) == []
    _finish(syncs, connection_id, OFFLINE)
    _finish(syncs, connection_id, OK, dry_run=True)
    assert [a.kind for a in alerts.open_alerts(ORG)] == [AlertKind.CONNECTIVITY]
    refused = RunOutcome(
        state=RunState.FAILED,
        counts={},
        error="refused",
        error_category=FailureCategory.CONFIG,
        needs_reconnect=True,
    )
    _finish(syncs, connection_id, refused, dry_run=True)
    assert [a.kind for a in alerts.open_alerts(ORG)] == [AlertKind.CONNECTIVITY]


def test_the_sweep_opens_and_clears_stuck_runs_and_reconnects(
    syncs: SyncService,
    connections: ConnectionService,
    alerts: AlertService,
    heard: list[AlertTransition],
) -> None:
    connection_id = create(connections, ORG).id
    run = syncs.queue_sync(ORG, connection_id)
    assert syncs.claim_run(run.id, "w1", stale_after_s=60) is not None
    assert alerts.sweep() == []  # its heartbeat is fresh
    later = utcnow() + timedelta(hours=1)
    [stuck] = alerts.sweep(now=later)
    assert stuck.alert.kind is AlertKind.STUCK_RUN and "w1" in stuck.alert.message
    assert alerts.sweep(now=later) == []  # once
    syncs.heartbeat(run.id, "w1", progress=RunProgress(), counts={})
    [cleared] = alerts.sweep()
    assert (cleared.alert.kind, cleared.transition) == (AlertKind.STUCK_RUN, Transition.RESOLVED)

    connections.mark_needs_reconnect(
        connections.stored_connection(ORG, connection_id), "reconnect this connection"
    )
    [opened] = alerts.sweep()
    assert opened.alert.kind is AlertKind.NEEDS_RECONNECT
    assert "needs reconnecting" in opened.alert.message
    connections.update_connection(ORG, connection_id, ConnectionUpdate(fields={"api_token": "new"}))
    assert connections.get_connection(ORG, connection_id).status is ConnectionStatus.ACTIVE
    [fixed] = alerts.sweep()
    assert fixed.transition is Transition.RESOLVED
    assert len(heard) == 4


def test_manual_resolution_and_other_organisations(
    syncs: SyncService, connections: ConnectionService, alerts: AlertService
) -> None:
    connection_id = create(connections, ORG).id
    _finish(syncs, connection_id, OFFLINE)
    [alert] = alerts.open_alerts(ORG)
    with pytest.raises(NotFoundError):
        alerts.resolve(OTHER_ORG, alert.id, by="mallory")
    with pytest.raises(NotFoundError):
        alerts.thresholds(OTHER_ORG, connection_id)
    done = alerts.resolve(ORG, alert.id, by="ana")
    assert (done.state, done.resolved_by) == (AlertState.RESOLVED, "ana")
    with pytest.raises(NotFoundError):
        alerts.acknowledge(ORG, alert.id)


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError, match="consecutive_failures"):
        AlertThresholds(consecutive_failures=0)


def test_an_unexplained_difference_opens_an_alert_a_complete_count_resolves_it(
    syncs: SyncService, connections: ConnectionService, alerts: AlertService
) -> None:
    connection_id = create(connections, ORG).id
    short = EntityCounts(vendor_count=120, held_count=117, missing=3, repaired=1, unexplained=2)
    _finish(
        syncs, connection_id, RunOutcome(state=RunState.SUCCEEDED, counts={Entity.CONTACT: short})
    )
    [alert] = alerts.open_alerts(ORG)
    assert alert.kind is AlertKind.INCOMPLETE
    assert "2 record(s) of contact differ from the vendor" in alert.message
    _finish(syncs, connection_id, OK)  # a sync that counted nothing leaves it open
    assert [a.kind for a in alerts.open_alerts(ORG)] == [AlertKind.INCOMPLETE]
    whole = EntityCounts(vendor_count=120, held_count=120)
    _finish(
        syncs, connection_id, RunOutcome(state=RunState.SUCCEEDED, counts={Entity.CONTACT: whole})
    )
    assert alerts.open_alerts(ORG) == []
    assert whole.completeness() == "complete: 120 of 120"
    assert short.completeness() == (
        "3 missing, 0 extra, 0 stale; 1 repaired; incomplete: the vendor holds 120, "
        "the hub 117 (2 unexplained)"
    )
