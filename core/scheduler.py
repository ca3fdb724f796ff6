"""The scheduler process: queues a scheduled run of every connection when it is due.

APScheduler holds one job per enabled connection (its own interval or cron,
else the settings' default of 6 hours). The job list is refreshed every minute
from `service.syncs.scheduled_connections()`, so connections added, edited or
disabled on the dashboard or through the API are picked up without a restart.
The first fire of an interval job comes with that list, computed by the service
from the connection's latest run, so a restart does not trigger a burst of
syncs (nor skip an overdue one). Each connection also gets a reconciliation job
(daily by default, `reconcile_interval_hours`): the vendor's counts against the hub's,
narrowed and repaired where they differ (core.sync.reconcile); its first fire follows
the connection's latest reconciliation or full sync, and a slot that meets a sync in
progress is tried again 10 minutes later. A daily job purges logs past the retention
period; with REDIS_URL set, a job every 15 s republishes runs whose message
may have been lost (core/taskqueue.py); a job every minute has the alerts area
sweep for stuck runs and connections that need reconnecting.

One scheduler at a time: every process renews a lease in the store ("scheduler",
30 s) every 10 s; only its holder queues, purges and sweeps. A standby keeps
trying and takes over within 40 s of the leader's last renewal, so two
schedulers on one machine or two never queue the same slot twice.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.clock import utcnow
from core.errors import RunAlreadyActiveError, ToothpickError
from core.models import RunTrigger
from core.schedule import cron_trigger
from core.schemas import ScheduledConnection
from core.service import IntegrationService

log = logging.getLogger(__name__)
JOB_PREFIX = "sync:"
RECONCILE_PREFIX = "reconcile:"
RECONCILE_RETRY = timedelta(minutes=10)
LEASE = "scheduler"
LEASE_TTL_S = 30.0


class SyncScheduler:
    def __init__(
        self,
        service: IntegrationService,
        scheduler: BaseScheduler | None = None,
        *,
        refresh_interval_s: float = 60.0,
        holder: str | None = None,
        lease_interval_s: float = 10.0,
        lease_ttl_s: float = LEASE_TTL_S,
    ) -> None:
        self.service = service
        self.scheduler = scheduler or BlockingScheduler(timezone="UTC")
        self.refresh_interval_s = refresh_interval_s
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.lease_interval_s = lease_interval_s
        self.lease_ttl_s = lease_ttl_s
        self.is_leader = False
        self._signatures: dict[str, str] = {}

    def start(self) -> None:
        now = utcnow()
        self._every(self.lead, "lease", self.lease_interval_s, first=now)
        self._every(self.refresh, "refresh", self.refresh_interval_s, first=now)
        self._every(self.republish, "republish", 15)
        self._every(self.sweep_alerts, "alerts", 60)
        self._every(
            self.purge, "retention", 24 * 3600, first=now + timedelta(minutes=1), coalesce=False
        )
        self.scheduler.start()

    def _every(
        self,
        job: Callable[[], object],
        job_id: str,
        seconds: float,
        *,
        first: datetime | None = None,
        coalesce: bool = True,
    ) -> None:
        """One housekeeping job on an interval, never two of it at once."""
        options: dict[str, object] = {"coalesce": True} if coalesce else {}
        if first is not None:
            options["next_run_time"] = first
        self.scheduler.add_job(
            job,
            IntervalTrigger(seconds=seconds, timezone="UTC"),
            id=job_id,
            max_instances=1,
            **options,
        )

    @staticmethod
    def _signature(connection: ScheduledConnection) -> str:
        if connection.cron:
            return f"cron:{connection.cron}"
        return f"every:{connection.interval_hours}"

    @staticmethod
    def _trigger(connection: ScheduledConnection) -> tuple[BaseTrigger, object]:
        if connection.cron:
            return cron_trigger(connection.cron), None
        hours = connection.interval_hours
        return IntervalTrigger(seconds=hours * 3600, timezone="UTC"), connection.next_sync_at

    def lead(self) -> bool:
        """Take or renew the scheduler lease; a new leader loads its jobs at once and a
        lost lease drops them."""
        was = self.is_leader
        try:
            self.is_leader = self.service.syncs.hold_lease(
                LEASE, self.holder, ttl_s=self.lease_ttl_s
            )
        except ToothpickError as exc:
            log.warning("scheduler lease not renewed: %s", exc)
            self.is_leader = False
        if self.is_leader and not was:
            log.info("scheduler %s leads", self.holder)
            self.refresh()
        elif was and not self.is_leader:
            log.warning("scheduler %s lost the lease; standing by", self.holder)
            self._drop_jobs()
        return self.is_leader

    def stop(self) -> None:
        """Hand the lease over at once (a standby need not wait for it to expire)."""
        if self.is_leader:
            self.service.syncs.release_lease(LEASE, self.holder)
            self.is_leader = False

    def _drop_jobs(self) -> None:
        for job_id in list(self._signatures):
            self.scheduler.remove_job(job_id)
            del self._signatures[job_id]

    def refresh(self) -> None:
        """Make the job list match the stored connections (the leader only)."""
        if not self.is_leader and not self.lead():
            return
        wanted: dict[str, ScheduledConnection] = {}
        for connection in self.service.syncs.scheduled_connections():
            if connection.reconcile_hours > 0:
                self._keep_reconciliation(connection, wanted)
            signature = self._signature(connection)
            job_id = JOB_PREFIX + connection.connection_id
            wanted[job_id] = connection
            if self._signatures.get(job_id) == signature:
                continue
            trigger, first = self._trigger(connection)
            options: dict[str, object] = {} if first is None else {"next_run_time": first}
            self.scheduler.add_job(
                self.fire,
                trigger,
                args=(connection.organisation_id, connection.connection_id),
                id=job_id,
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                **options,
            )
            self._signatures[job_id] = signature
            log.info("scheduled %s (%s): %s", connection.name, connection.connection_id, signature)
        for job_id in list(self._signatures):
            if job_id not in wanted:
                self.scheduler.remove_job(job_id)
                del self._signatures[job_id]

    def _keep_reconciliation(
        self, connection: ScheduledConnection, wanted: dict[str, ScheduledConnection]
    ) -> None:
        job_id = RECONCILE_PREFIX + connection.connection_id
        wanted[job_id] = connection
        signature = f"every:{connection.reconcile_hours}"
        if self._signatures.get(job_id) == signature:
            return
        first = self.service.syncs.next_reconciliation_at(
            connection.organisation_id, connection.connection_id
        )
        self.scheduler.add_job(
            self.reconcile,
            IntervalTrigger(seconds=connection.reconcile_hours * 3600, timezone="UTC"),
            args=(connection.organisation_id, connection.connection_id),
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=first,
        )
        self._signatures[job_id] = signature

    def reconcile(self, organisation_id: str, connection_id: str) -> None:
        """Queue a reconciliation; behind a sync in progress, try again a little later."""
        if not self.is_leader:
            return
        try:
            run = self.service.syncs.queue_reconciliation(organisation_id, connection_id)
            log.info("queued reconciliation %s for connection %s", run.id, connection_id)
        except RunAlreadyActiveError:
            job = self.scheduler.get_job(RECONCILE_PREFIX + connection_id)
            if job is not None:
                job.modify(next_run_time=utcnow() + RECONCILE_RETRY)
            log.info("connection %s is syncing; reconciliation tried again later", connection_id)
        except ToothpickError as exc:
            log.warning("reconciliation of %s not queued: %s", connection_id, exc)

    def fire(self, organisation_id: str, connection_id: str) -> None:
        if not self.is_leader:
            return
        try:
            run = self.service.syncs.queue_sync(
                organisation_id, connection_id, trigger=RunTrigger.SCHEDULED
            )
            log.info("queued scheduled run %s for connection %s", run.id, connection_id)
        except RunAlreadyActiveError:
            log.info("connection %s is still syncing; this slot is skipped", connection_id)
        except ToothpickError as exc:
            log.warning("scheduled sync of %s not queued: %s", connection_id, exc)

    def republish(self) -> None:
        """With REDIS_URL set: publish again the runs a lost message would leave behind."""
        if not self.is_leader:
            return
        try:
            count = self.service.syncs.republish_due()
        except ToothpickError as exc:
            log.warning("republishing runs failed: %s", exc)
            return
        if count:
            log.info("republished %d run(s) to the task queue", count)

    def sweep_alerts(self) -> None:
        if not self.is_leader:
            return
        try:
            self.service.alerts.sweep()
        except ToothpickError as exc:
            log.warning("alert sweep failed: %s", exc)

    def purge(self) -> None:
        if not self.is_leader:
            return
        removed = self.service.monitoring.purge_logs()
        log.info("retention: removed %d log entries", removed)
