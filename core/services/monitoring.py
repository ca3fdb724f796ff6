"""What analysts watch: run outcomes, alerts, status cards, logs and KPIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from core.clock import utcnow
from core.errors import NotFoundError
from core.export import export_logs
from core.models import (
    Alert,
    Connection,
    ConnectionStatus,
    LogEntry,
    RunState,
    SyncRun,
)
from core.schedule import next_sync_at
from core.schemas import (
    Bucket,
    ConnectionStatusView,
    CountRow,
    ErrorGroup,
    ExportFormat,
    Health,
    KpiGroup,
    KpiRow,
    LogFilter,
    Page,
    SchedulerView,
    SystemStatus,
    VolumeRow,
    WorkerView,
)
from core.services.alerts import AlertService
from core.services.connections import ConnectionService
from core.settings import Settings
from core.store.base import Store
from core.taskqueue import RunQueue

# How far back a status card looks for the latest real (not dry) run.
_RECENT_RUNS = 20


class MonitoringService:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        connections: ConnectionService,
        alerts: AlertService,
        queue: RunQueue | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._connections = connections
        self._alerts = alerts
        self._queue = queue

    # -- alerts (the alerts area owns them; kept here for the overview's callers) ------------

    def alerts(self, organisation_id: str, *, open_only: bool = True) -> list[Alert]:
        if open_only:
            return self._alerts.open_alerts(organisation_id)
        return self._alerts.history(organisation_id)

    def acknowledge_alert(
        self, organisation_id: str, alert_id: str, *, by: str | None = None
    ) -> None:
        self._alerts.acknowledge(organisation_id, alert_id, by=by)

    # -- status cards -----------------------------------------------------------------------

    def connection_statuses(self, organisation_id: str) -> list[ConnectionStatusView]:
        store, now = self._store, utcnow()
        latest = store.latest_runs(organisation_id)
        views = []
        for connection in store.list_connections(organisation_id):
            last = latest.get(connection.id)
            active = last if last is not None and last.state.is_active else None
            finished = self._last_real_finished(organisation_id, connection.id)
            success = store.list_runs(
                organisation_id, connection_id=connection.id, states=(RunState.SUCCEEDED,), limit=1
            ).items
            open_conflicts = store.list_conflicts(
                organisation_id, connection_id=connection.id, limit=0
            ).total
            health, reason = self._health(connection, active, finished, open_conflicts)
            views.append(
                ConnectionStatusView(
                    connection=self._connections.public(connection),
                    health=health,
                    health_reason=reason,
                    last_run=finished,
                    active_run=active,
                    last_success_at=success[0].finished_at if success else None,
                    next_sync_at=next_sync_at(
                        connection,
                        last_scheduled_at=last.created_at if last else None,
                        now=now,
                        default_hours=self._settings.sync_interval_hours,
                    ),
                    records_held=store.count_records(organisation_id, connection.id),
                    last_error=finished.error if finished and finished.error else None,
                )
            )
        return views

    def _last_real_finished(self, organisation_id: str, connection_id: str) -> SyncRun | None:
        """Dry runs only report: the card reads the latest finished run that was real."""
        recent = self._store.list_runs(
            organisation_id,
            connection_id=connection_id,
            states=tuple(s for s in RunState if s.is_finished),
            limit=_RECENT_RUNS,
        ).items
        return next((run for run in recent if not run.options.dry_run), None)

    @staticmethod
    def _health(
        connection: Connection,
        active: SyncRun | None,
        finished: SyncRun | None,
        open_conflicts: int,
    ) -> tuple[Health, str]:
        if connection.status is ConnectionStatus.DISABLED:
            return Health.DISABLED, "Disabled: no scheduled syncs."
        if connection.status is ConnectionStatus.NEEDS_RECONNECT:
            return Health.NEEDS_RECONNECT, connection.status_detail or "Reconnect this connection."
        if active is not None:
            if active.state is RunState.PAUSED:
                return Health.WARNING, active.error or "Paused until the vendor's quota resets."
            return Health.SYNCING, active.progress.message or "Sync in progress."
        if finished is None:
            return Health.NEVER_SYNCED, "Not synced yet."
        if finished.state is RunState.FAILED:
            return Health.FAILING, finished.error or "The last sync failed."
        if finished.totals.failed:
            return Health.WARNING, f"Last sync: {finished.totals.failed} record(s) failed."
        if open_conflicts:
            return Health.WARNING, f"{open_conflicts} conflict(s) wait for review."
        return Health.HEALTHY, "Last sync succeeded."

    def check_store(self) -> None:
        """Raise StoreUnavailableError unless the store answers (the API's readiness)."""
        self._store.ping()

    # -- logs and KPIs ------------------------------------------------------------------------

    def logs(
        self, organisation_id: str, query: LogFilter, *, offset: int = 0, limit: int = 50
    ) -> Page[LogEntry]:
        return self._store.query_logs(
            organisation_id, query, offset=max(offset, 0), limit=min(max(limit, 1), 500)
        )

    def log_entry(self, organisation_id: str, log_id: str) -> LogEntry:
        entry = self._store.get_log(organisation_id, log_id)
        if entry is None:
            raise NotFoundError(f"No log entry {log_id!r} in this organisation.")
        return entry

    def export_logs(
        self, organisation_id: str, query: LogFilter, fmt: ExportFormat
    ) -> Iterator[str]:
        return export_logs(self._store.iter_logs(organisation_id, query), fmt)

    def kpis(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime | None = None,
        group_by: KpiGroup | None = KpiGroup.SYSTEM,
        bucket: Bucket | None = None,
    ) -> list[KpiRow]:
        return self._store.kpis(
            organisation_id, since=since, until=until or utcnow(), group_by=group_by, bucket=bucket
        )

    def volume_by_entity(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime | None = None,
        bucket: Bucket | None = None,
    ) -> list[VolumeRow]:
        return self._store.volume_by_entity(
            organisation_id, since=since, until=until or utcnow(), bucket=bucket
        )

    def error_counts(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime | None = None,
        group_by: ErrorGroup,
    ) -> list[CountRow]:
        return self._store.error_counts(
            organisation_id, since=since, until=until or utcnow(), group_by=group_by
        )

    # -- processes ------------------------------------------------------------------------

    def system_status(self, organisation_id: str) -> SystemStatus:
        """Scheduler leader, workers, runs by state (all organisations), queue depth and
        this organisation's open alerts."""
        store, now = self._store, utcnow()
        scheduler = next(iter(store.list_leases("scheduler")), None)
        active = (RunState.QUEUED, RunState.RUNNING, RunState.PAUSED)
        runs_by_state = dict.fromkeys((s.value for s in active), 0)
        running: dict[str, list[str]] = {}
        for org in sorted({c.organisation_id for c in store.list_connections(None)}):
            for state in active:
                page = store.list_runs(org, states=(state,), limit=1000)
                runs_by_state[state.value] += page.total
                if state is RunState.RUNNING:
                    for run in page.items:
                        process = ":".join((run.worker_id or "?").split(":")[:2])
                        running.setdefault(process, []).append(run.id)
        workers = [
            WorkerView(
                worker=lease.holder,
                last_heartbeat=lease.renewed_at,
                alive=lease.expires_at > now,
                current_runs=running.get(lease.holder, []),
            )
            for lease in store.list_leases("worker:")
        ]
        depth = None
        if self._queue is not None:
            try:
                depth = self._queue.depth()
            except Exception:  # status must answer even when Redis does not
                depth = None
        return SystemStatus(
            scheduler=None
            if scheduler is None or scheduler.expires_at <= now
            else SchedulerView(
                holder=scheduler.holder,
                since=scheduler.acquired_at,
                last_tick=scheduler.renewed_at,
                expires_at=scheduler.expires_at,
            ),
            workers=workers,
            runs_by_state=runs_by_state,
            queue_depth=depth,
            open_alerts=self._alerts.open_alerts(organisation_id),
        )

    def purge_logs(self, *, older_than_days: int | None = None) -> int:
        days = older_than_days or self._settings.log_retention_days
        return self._store.purge_logs(utcnow() - timedelta(days=days))
