"""What analysts watch: run outcomes, alerts, status cards, logs and KPIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from core.clock import utcnow
from core.errors import FailureCategory, NotFoundError
from core.export import export_logs
from core.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    Connection,
    ConnectionStatus,
    LogEntry,
    RunState,
    SyncRun,
)
from core.schedule import next_sync_at
from core.schemas import (
    Bucket,
    ConnectionDetail,
    ConnectionStatusView,
    CountRow,
    EntityState,
    ErrorGroup,
    ExportFormat,
    Health,
    KpiGroup,
    KpiRow,
    LogFilter,
    Page,
    RunOutcome,
    VolumeRow,
)
from core.services.connections import ConnectionService
from core.settings import Settings
from core.store.base import Store
from core.wording import plural

CONSECUTIVE_FAILURES_ALERT = 3
RATE_LIMIT_WAIT_ALERT_S = 60.0


class MonitoringService:
    def __init__(self, *, settings: Settings, store: Store, connections: ConnectionService) -> None:
        self._settings = settings
        self._store = store
        self._connections = connections

    # -- run outcomes and alerts --------------------------------------------------------

    def raise_alerts(self, connection: Connection, outcome: RunOutcome) -> None:
        """The alerts a finished run calls for (SyncService.record_outcome calls this)."""

        def alert(kind: AlertKind, severity: AlertSeverity, message: str) -> None:
            self._store.raise_alert(
                Alert(
                    organisation_id=connection.organisation_id,
                    connection_id=connection.id,
                    system=connection.system,
                    kind=kind,
                    severity=severity,
                    message=f"{connection.name}: {message}",
                )
            )

        if outcome.needs_reconnect:
            alert(
                AlertKind.NEEDS_RECONNECT,
                AlertSeverity.CRITICAL,
                f"needs reconnecting — {outcome.error}",
            )
        if outcome.state is RunState.PAUSED:
            when = (
                outcome.resume_after.isoformat(timespec="minutes") if outcome.resume_after else "?"
            )
            alert(AlertKind.QUOTA, AlertSeverity.WARNING, f"vendor API quota spent; resumes {when}")
        if outcome.state is RunState.FAILED:
            if outcome.error_category is FailureCategory.TRANSIENT:
                alert(AlertKind.CONNECTIVITY, AlertSeverity.WARNING, f"{outcome.error}")
            recent = self._store.list_runs(
                connection.organisation_id,
                connection_id=connection.id,
                limit=CONSECUTIVE_FAILURES_ALERT,
            ).items
            finished = [r for r in recent if r.state.is_finished]
            if len(finished) >= CONSECUTIVE_FAILURES_ALERT and all(
                r.state is RunState.FAILED for r in finished
            ):
                alert(
                    AlertKind.CONSECUTIVE_FAILURES,
                    AlertSeverity.CRITICAL,
                    f"the last {CONSECUTIVE_FAILURES_ALERT} syncs failed; latest: {outcome.error}",
                )
        waited = sum(c.rate_limit_wait_s for c in outcome.counts.values())
        if waited >= RATE_LIMIT_WAIT_ALERT_S:
            alert(
                AlertKind.RATE_LIMIT,
                AlertSeverity.INFO,
                f"waited {waited:.0f} s on the vendor's rate limits in one sync",
            )

    def alerts(self, organisation_id: str, *, open_only: bool = True) -> list[Alert]:
        return self._store.list_alerts(organisation_id, open_only=open_only)

    def acknowledge_alert(self, organisation_id: str, alert_id: str) -> None:
        if not self._store.acknowledge_alert(organisation_id, alert_id, at=utcnow()):
            raise NotFoundError(f"No open alert {alert_id!r} in this organisation.")

    # -- status cards -----------------------------------------------------------------------

    def connection_statuses(self, organisation_id: str) -> list[ConnectionStatusView]:
        latest = self._store.latest_runs(organisation_id)
        return [
            self._status_view(connection, latest.get(connection.id))
            for connection in self._store.list_connections(organisation_id)
        ]

    def connection_detail(self, organisation_id: str, connection_id: str) -> ConnectionDetail:
        """One connection whole (the connection page): status, entities with their
        counts and cursors, and how many conflicts wait for a decision."""
        store = self._store
        connection = self._connections.stored_connection(organisation_id, connection_id)
        last = store.list_runs(organisation_id, connection_id=connection_id, limit=1).items
        view = self._status_view(connection, last[0] if last else None)
        entities = []
        for entity in sorted({*connection.entities, *view.records_held}, key=lambda e: e.value):
            state = store.get_sync_state(organisation_id, connection_id, entity)
            entities.append(
                EntityState(
                    entity=entity,
                    records=view.records_held.get(entity, 0),
                    cursor=state.cursor if state else None,
                    last_full_sync_at=state.last_full_sync_at if state else None,
                    updated_at=state.updated_at if state else None,
                )
            )
        conflicts = store.list_conflicts(organisation_id, connection_id=connection_id, limit=1)
        return ConnectionDetail(status=view, entities=entities, open_conflicts=conflicts.total)

    def _status_view(self, connection: Connection, last: SyncRun | None) -> ConnectionStatusView:
        store, org = self._store, connection.organisation_id
        active = last if last is not None and last.state.is_active else None
        finished = last if last is not None and last.state.is_finished else None
        if finished is None or finished.options.dry_run:
            # Health comes from real runs only: a dry run (or one in progress) says
            # nothing about whether the connection works.
            finished = self._last_real(org, connection.id, [s for s in RunState if s.is_finished])
        success = self._last_real(org, connection.id, [RunState.SUCCEEDED])
        health, reason = self._health(connection, active, finished)
        return ConnectionStatusView(
            connection=self._connections.public(connection),
            health=health,
            health_reason=reason,
            last_run=finished,
            active_run=active,
            last_success_at=success.finished_at if success else None,
            next_sync_at=next_sync_at(
                connection,
                last_scheduled_at=last.created_at if last else None,
                now=utcnow(),
                default_hours=self._settings.sync_interval_hours,
            ),
            records_held=store.count_records(org, connection.id),
            last_error=finished.error if finished and finished.error else None,
        )

    def _last_real(self, org: str, connection_id: str, states: list[RunState]) -> SyncRun | None:
        """The newest run in `states` that was not a dry run (among the last few)."""
        runs = self._store.list_runs(
            org, connection_id=connection_id, states=tuple(states), limit=10
        ).items
        return next((run for run in runs if not run.options.dry_run), None)

    @staticmethod
    def _health(
        connection: Connection, active: SyncRun | None, finished: SyncRun | None
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
        if finished.totals.failed or finished.totals.conflicts:
            return Health.WARNING, (
                f"Last sync: {plural(finished.totals.failed, 'record')} failed, "
                f"{plural(finished.totals.conflicts, 'conflict')}."
            )
        return Health.HEALTHY, "Last sync succeeded."

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
        names = {c.id: c.name for c in self._store.list_connections(organisation_id)}
        return export_logs(self._store.iter_logs(organisation_id, query), fmt, names)

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

    def purge_logs(self, *, older_than_days: int | None = None) -> int:
        days = older_than_days or self._settings.log_retention_days
        return self._store.purge_logs(utcnow() - timedelta(days=days))
