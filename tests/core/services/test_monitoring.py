"""The monitoring area alone: alerts from run outcomes, status cards, logs and retention,
on a SQLite store file (the connections area is its only neighbour)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import utcnow
from core.errors import FailureCategory, NotFoundError
from core.models import (
    AlertKind,
    Entity,
    EntityCounts,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    RunState,
)
from core.runtime import Runtime
from core.schemas import Health, LogFilter, RunOutcome
from core.services.connections import ConnectionService
from core.services.monitoring import MonitoringService
from tests.core.service_support import ORG, OTHER_ORG
from tests.core.services.conftest import create


def test_outcomes_raise_the_alerts_they_call_for(
    monitoring: MonitoringService, connections: ConnectionService
) -> None:
    stored = connections.stored_connection(ORG, create(connections, ORG).id)
    monitoring.raise_alerts(stored, RunOutcome(state=RunState.SUCCEEDED, counts={}))
    assert monitoring.alerts(ORG) == []
    waited = {Entity.CONTACT: EntityCounts(rate_limit_wait_s=90)}
    monitoring.raise_alerts(stored, RunOutcome(state=RunState.SUCCEEDED, counts=waited))
    monitoring.raise_alerts(
        stored,
        RunOutcome(
            state=RunState.FAILED,
            counts={},
            error="refused",
            error_category=FailureCategory.CONFIG,
            needs_reconnect=True,
        ),
    )
    kinds = {a.kind for a in monitoring.alerts(ORG)}
    assert kinds == {AlertKind.RATE_LIMIT, AlertKind.NEEDS_RECONNECT}
    first = monitoring.alerts(ORG)[0]
    monitoring.acknowledge_alert(ORG, first.id)
    assert first.id not in {a.id for a in monitoring.alerts(ORG)}
    with pytest.raises(NotFoundError):
        monitoring.acknowledge_alert(OTHER_ORG, first.id)


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
