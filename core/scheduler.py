"""The scheduler process: queues a scheduled run of every connection when it is due.

APScheduler holds one job per enabled connection (its own interval or cron,
else the settings' default of 6 hours). The job list is refreshed from the
store every minute, so connections added, edited or disabled on the dashboard
or through the API are picked up without a restart. The first fire of an
interval job is computed from the connection's latest run, so a restart does
not trigger a burst of syncs (nor skip an overdue one). A daily job purges
logs past the retention period.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.clock import utcnow
from core.errors import RunAlreadyActiveError, ToothpickError
from core.models import Connection, ConnectionStatus, RunTrigger
from core.schedule import cron_trigger, next_sync_at
from core.service import IntegrationService

log = logging.getLogger(__name__)
JOB_PREFIX = "sync:"


class SyncScheduler:
    def __init__(
        self,
        service: IntegrationService,
        scheduler: BaseScheduler | None = None,
        *,
        refresh_interval_s: float = 60.0,
    ) -> None:
        self.service = service
        self.scheduler = scheduler or BlockingScheduler(timezone="UTC")
        self.refresh_interval_s = refresh_interval_s
        self._signatures: dict[str, str] = {}

    def start(self) -> None:
        self.scheduler.add_job(
            self.refresh,
            IntervalTrigger(seconds=self.refresh_interval_s, timezone="UTC"),
            id="refresh",
            next_run_time=utcnow(),
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.purge,
            IntervalTrigger(hours=24, timezone="UTC"),
            id="retention",
            next_run_time=utcnow() + timedelta(minutes=1),
            max_instances=1,
        )
        self.scheduler.start()

    def _signature(self, connection: Connection) -> str | None:
        schedule = connection.schedule
        if connection.status is not ConnectionStatus.ACTIVE or not schedule.enabled:
            return None
        if schedule.cron:
            return f"cron:{schedule.cron}"
        hours = schedule.interval_hours or self.service.settings.sync_interval_hours
        return f"every:{hours}"

    def _trigger(self, connection: Connection, signature: str) -> tuple[BaseTrigger, object]:
        if signature.startswith("cron:"):
            return cron_trigger(signature.removeprefix("cron:")), None
        hours = float(signature.removeprefix("every:"))
        latest = self.service.runtime.store.latest_runs(connection.organisation_id).get(
            connection.id
        )
        first = next_sync_at(
            connection,
            last_scheduled_at=latest.created_at if latest else None,
            now=utcnow(),
            default_hours=hours,
        )
        return IntervalTrigger(seconds=hours * 3600, timezone="UTC"), first

    def refresh(self) -> None:
        """Make the job list match the stored connections."""
        wanted: dict[str, Connection] = {}
        for connection in self.service.runtime.store.list_connections(None):
            signature = self._signature(connection)
            if signature is None:
                continue
            job_id = JOB_PREFIX + connection.id
            wanted[job_id] = connection
            if self._signatures.get(job_id) == signature:
                continue
            trigger, first = self._trigger(connection, signature)
            options: dict[str, object] = {} if first is None else {"next_run_time": first}
            self.scheduler.add_job(
                self.fire,
                trigger,
                args=(connection.organisation_id, connection.id),
                id=job_id,
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                **options,
            )
            self._signatures[job_id] = signature
            log.info("scheduled %s (%s): %s", connection.name, connection.id, signature)
        for job_id in list(self._signatures):
            if job_id not in wanted:
                self.scheduler.remove_job(job_id)
                del self._signatures[job_id]

    def fire(self, organisation_id: str, connection_id: str) -> None:
        try:
            run = self.service.queue_sync(
                organisation_id, connection_id, trigger=RunTrigger.SCHEDULED
            )
            log.info("queued scheduled run %s for connection %s", run.id, connection_id)
        except RunAlreadyActiveError:
            log.info("connection %s is still syncing; this slot is skipped", connection_id)
        except ToothpickError as exc:
            log.warning("scheduled sync of %s not queued: %s", connection_id, exc)

    def purge(self) -> None:
        removed = self.service.purge_logs()
        log.info("retention: removed %d log entries", removed)
