"""The scheduler keeps one job per active connection and queues scheduled runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.models import Connection, RunTrigger, Schedule
from core.schedule import next_sync_at
from core.scheduler import JOB_PREFIX, RECONCILE_PREFIX, SyncScheduler
from core.schemas import ConnectionUpdate
from core.service import IntegrationService
from tests.core.service_support import ORG, connect

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _connection(**schedule: object) -> Connection:
    return Connection(
        organisation_id=ORG,
        system="hubspot",
        name="c",
        sealed_secret="x",
        schedule=Schedule.model_validate(schedule),
    )


def test_next_sync_follows_interval_default_and_cron() -> None:
    last = NOW - timedelta(hours=2)
    assert next_sync_at(_connection(), last_scheduled_at=last, now=NOW, default_hours=6) == (
        last + timedelta(hours=6)
    )
    assert (
        next_sync_at(
            _connection(interval_hours=1), last_scheduled_at=last, now=NOW, default_hours=6
        )
        == NOW
    )  # overdue: now, not in the past
    assert next_sync_at(_connection(), last_scheduled_at=None, now=NOW, default_hours=6) == NOW
    cron = next_sync_at(
        _connection(cron="30 2 * * *"), last_scheduled_at=last, now=NOW, default_hours=6
    )
    assert cron == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    assert (
        next_sync_at(_connection(enabled=False), last_scheduled_at=last, now=NOW, default_hours=6)
        is None
    )


def test_refresh_mirrors_connections_and_fire_queues_once(service: IntegrationService) -> None:
    scheduler = SyncScheduler(service, BackgroundScheduler(timezone="UTC"))
    every = connect(service, "every 6h")
    nightly = connect(service, "nightly", schedule=Schedule(cron="0 3 * * *"))
    scheduler.refresh()
    jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
    assert set(jobs) == {
        *(JOB_PREFIX + c.id for c in (every, nightly)),
        *(RECONCILE_PREFIX + c.id for c in (every, nightly)),
    }
    assert isinstance(jobs[JOB_PREFIX + every.id].trigger, IntervalTrigger)
    assert jobs[JOB_PREFIX + every.id].trigger.interval == timedelta(hours=6)
    assert isinstance(jobs[JOB_PREFIX + nightly.id].trigger, CronTrigger)

    scheduler.fire(ORG, every.id)
    scheduler.fire(ORG, every.id)  # still queued: skipped, not an error
    runs = service.syncs.list_runs(ORG, connection_id=every.id).items
    assert [r.trigger for r in runs] == [RunTrigger.SCHEDULED]

    service.connections.set_enabled(ORG, nightly.id, False)
    service.connections.update_connection(
        ORG, every.id, ConnectionUpdate(schedule=Schedule(interval_hours=1))
    )
    scheduler.refresh()
    jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
    assert set(jobs) == {JOB_PREFIX + every.id, RECONCILE_PREFIX + every.id}
    assert jobs[JOB_PREFIX + every.id].trigger.interval == timedelta(hours=1)


def test_every_connection_is_reconciled_daily_and_a_busy_slot_is_tried_again(
    service: IntegrationService,
) -> None:
    scheduler = SyncScheduler(service, BackgroundScheduler(timezone="UTC"))
    scheduler.is_leader = True
    connection = connect(service, "reconciled")
    scheduler.refresh()
    job = scheduler.scheduler.get_job(RECONCILE_PREFIX + connection.id)
    assert job is not None and job.trigger.interval == timedelta(hours=24)

    scheduler.reconcile(ORG, connection.id)
    [run] = service.syncs.list_runs(ORG, connection_id=connection.id).items
    assert run.options.reconcile and run.trigger is RunTrigger.SCHEDULED
    scheduler.scheduler.start(paused=True)  # next_run_time is kept only by a started one
    try:
        scheduler.reconcile(ORG, connection.id)  # the first is still queued: later, not lost
        job = scheduler.scheduler.get_job(RECONCILE_PREFIX + connection.id)
        wait = job.next_run_time - datetime.now(UTC)
        assert timedelta(minutes=9) < wait <= timedelta(minutes=10)
    finally:
        scheduler.scheduler.shutdown(wait=False)
    assert len(service.syncs.list_runs(ORG, connection_id=connection.id).items) == 1
    # A successful reconciliation moves the next one a day after it.
    due = service.syncs.next_reconciliation_at(ORG, connection.id)
    assert abs((due - datetime.now(UTC)).total_seconds()) < 60  # none succeeded yet: now


# The same rules at the instants where calendars bite: just before and after midnight,
# across a month end, a year end and a leap day (the suite must pass at any hour).
EDGES = [
    datetime(2026, 6, 15, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 6, 16, 0, 0, 1, tzinfo=UTC),
    datetime(2027, 1, 31, 23, 59, 30, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2028, 2, 29, 23, 59, tzinfo=UTC),
]


@pytest.mark.parametrize("now", EDGES, ids=[edge.isoformat() for edge in EDGES])
def test_next_sync_at_the_calendars_edges(now: datetime) -> None:
    def at(connection: Connection, last: datetime | None) -> datetime | None:
        return next_sync_at(connection, last_scheduled_at=last, now=now, default_hours=6)

    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert at(_connection(cron="0 0 * * *"), None) == midnight
    first_of_month = (now.replace(day=1) + timedelta(days=32)).replace(
        day=1, hour=3, minute=0, second=0, microsecond=0
    )
    assert at(_connection(cron="0 3 1 * *"), None) == first_of_month
    last = now - timedelta(hours=5, minutes=59)
    assert at(_connection(), last) == last + timedelta(hours=6)  # not yet due, across the day
    assert at(_connection(interval_hours=0.5), now - timedelta(hours=1)) == now  # overdue
