"""When a connection syncs next: its own interval or cron, else the settings' default."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.clock import as_utc
from core.models import Connection, ConnectionStatus

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger


def cron_trigger(expression: str) -> CronTrigger:
    # Imported on first use: every worker imports this module (a run's outcome sets the
    # next sync), few connections have a cron, and APScheduler costs ~5 MB resident.
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(expression, timezone="UTC")


def next_sync_at(
    connection: Connection,
    *,
    last_scheduled_at: datetime | None,
    now: datetime,
    default_hours: float,
) -> datetime | None:
    """None when the connection is disabled or its schedule is off."""
    if connection.status is ConnectionStatus.DISABLED or not connection.schedule.enabled:
        return None
    if connection.schedule.cron:
        fire = cron_trigger(connection.schedule.cron).get_next_fire_time(None, now)
        return as_utc(fire) if fire else None
    interval = timedelta(hours=connection.schedule.interval_hours or default_hours)
    if last_scheduled_at is None:
        return now
    return max(last_scheduled_at + interval, now)
