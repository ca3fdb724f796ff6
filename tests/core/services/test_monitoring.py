"""The monitoring area alone: alerts as the overview reads them, status cards, logs and retention,
on a SQLite store file (the connections area is its only neighbour)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import utcnow
from core.errors import NotFoundError
from core.models import (
    Alert,
    AlertKind,
    AlertState,
    Conflict,
    ConflictStatus,
    Entity,
    EntityCounts,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    Resolution,
    RunState,
    SyncRun,
)
from core.runtime import Runtime
from core.schemas import Health, LogFilter
from core.services.connections import ConnectionService
from core.services.monitoring import MonitoringService
from tests.core.service_support import ORG, OTHER_ORG
from tests.core.services.conftest import create


def test_the_overview_reads_and_acknowledges_alerts_through_the_alerts_area(
    monitoring: MonitoringService, connections: ConnectionService, runtime: Runtime
) -> None:
    stored = connections.stored_connection(ORG, create(connections, ORG).id)
    raised = runtime.store.raise_alert(
        Alert(organisation_id=ORG, connection_id=stored.id, kind=AlertKind.QUOTA, message="m")
    )
    assert [a.id for a in monitoring.alerts(ORG)] == [raised.id]
    monitoring.acknowledge_alert(ORG, raised.id, by="ana")
    [still_open] = monitoring.alerts(ORG)  # acknowledged is not resolved
    assert still_open.state is AlertState.ACKNOWLEDGED and still_open.acknowledged_by == "ana"
    with pytest.raises(NotFoundError):
        monitoring.acknowledge_alert(OTHER_ORG, raised.id)


def test_open_conflicts_not_the_last_runs_count_make_a_card_warn(
    monitoring: MonitoringService, connections: ConnectionService, runtime: Runtime
) -> None:
    stored = connections.stored_connection(ORG, create(connections, ORG).id)
    conflict = runtime.store.add_conflict(
        Conflict(
            organisation_id=ORG,
            connection_id=stored.id,
            system=stored.system,
            entity=Entity.CONTACT,
            external_id="c1",
        )
    )
    run = runtime.store.create_run(
        SyncRun(organisation_id=ORG, connection_id=stored.id, system=stored.system)
    )
    now = utcnow()
    assert runtime.store.claim_run(run.id, "w", now=now, stale_before=now) is not None
    counts = {Entity.CONTACT: EntityCounts(read=1, conflicts=1)}
    runtime.store.finish_run(run.id, "w", now=now, state=RunState.SUCCEEDED, counts=counts)
    [card] = monitoring.connection_statuses(ORG)
    assert card.health is Health.WARNING and "1 conflict" in card.health_reason
    runtime.store.save_conflict(
        conflict.model_copy(
            update={"status": ConflictStatus.RESOLVED, "resolution": Resolution.REMOTE}
        )
    )
    [card] = monitoring.connection_statuses(ORG)
    assert card.health is Health.HEALTHY


def test_status_cards_come_from_the_connections_area(
    monitoring: MonitoringService, connections: ConnectionService
) -> None:
    created = create(connections, ORG)
    (card,) = monitoring.connection_statuses(ORG)
    assert card.connection == created
    assert card.health is Health.NEVER_SYNCED and card.next_sync_at is not None
    assert monitoring.connection_statuses(OTHER_ORG) == []


def test_logs_are_paged_and_retention_purges_only_old_entries(
    monitoring: MonitoringService, runtime: Runtime
) -> None:
    def entry(days_ago: int) -> LogEntry:
        return LogEntry(
            organisation_id=ORG,
            time=utcnow() - timedelta(days=days_ago),
            operation=Operation.SYNC,
            level=LogLevel.INFO,
            status=LogStatus.SUCCESS,
            message=f"{days_ago} days ago",
        )

    runtime.store.append_logs([entry(1), entry(400)])
    page = monitoring.logs(ORG, LogFilter(), limit=10_000)
    assert page.total == 2 and page.limit == 500  # the limit is capped
    assert monitoring.log_entry(ORG, page.items[0].id) == page.items[0]
    assert monitoring.purge_logs(older_than_days=30) == 1
    assert [e.message for e in monitoring.logs(ORG, LogFilter()).items] == ["1 days ago"]


def test_connection_detail_shows_entities_cursors_and_open_conflicts(
    monitoring: MonitoringService, connections: ConnectionService, runtime: Runtime
) -> None:
    from core.models import Conflict, SyncState

    created = create(connections, ORG)
    runtime.store.save_sync_state(
        SyncState(
            organisation_id=ORG,
            connection_id=created.id,
            entity=created.entities[0],
            cursor="2026-12-01T00:00:00Z",
        )
    )
    runtime.store.add_conflict(
        Conflict(
            organisation_id=ORG, connection_id=created.id, system=created.system,
            entity=created.entities[0], external_id="c-1", differing_fields=["email"],
        )
    )  # fmt: skip
    detail = monitoring.connection_detail(ORG, created.id)
    assert detail.status.connection.id == created.id
    assert detail.open_conflicts == 1
    first = next(e for e in detail.entities if e.entity is created.entities[0])
    assert first.cursor == "2026-12-01T00:00:00Z" and first.records == 0
    with pytest.raises(NotFoundError):
        monitoring.connection_detail(OTHER_ORG, created.id)


def test_health_comes_from_real_runs_only(
    monitoring: MonitoringService, connections: ConnectionService, runtime: Runtime
) -> None:
    from core.models import SyncOptions, SyncRun

    created = create(connections, ORG)
    earlier, now = utcnow() - timedelta(hours=2), utcnow()

    def run(state: RunState, *, dry: bool, at: object) -> None:
        runtime.store.create_run(
            SyncRun(
                organisation_id=ORG, connection_id=created.id, system=created.system,
                state=state, options=SyncOptions(dry_run=dry), created_at=at, started_at=at,
                finished_at=at, error="vendor said 401" if state is RunState.FAILED else None,
            )
        )  # fmt: skip

    run(RunState.FAILED, dry=False, at=earlier)
    run(RunState.SUCCEEDED, dry=True, at=now)  # a dry run that went well heals nothing
    (card,) = monitoring.connection_statuses(ORG)
    assert card.health is Health.FAILING and card.health_reason == "vendor said 401"
    run(RunState.SUCCEEDED, dry=False, at=utcnow())  # the cause is gone: health clears
    (card,) = monitoring.connection_statuses(ORG)
    assert card.health is Health.HEALTHY
