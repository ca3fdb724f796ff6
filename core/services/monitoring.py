"""What analysts watch: run outcomes, alerts, status cards, logs and KPIs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from core.budgets import Budgets, budget_views, daily_allowance
from core.clock import utcnow
from core.errors import NotFoundError
from core.export import export_logs
from core.models import (
    Alert,
    Connection,
    LogEntry,
    RunState,
    SyncRun,
)
from core.schemas import (
    Bucket,
    ConnectionDetail,
    ConnectionStatusView,
    CountRow,
    EntityState,
    ErrorGroup,
    ExportFormat,
    KpiGroup,
    KpiRow,
    LogFilter,
    Page,
    RunUsage,
    SchedulerView,
    SystemStatus,
    VendorBudgetView,
    VolumeRow,
    WorkerView,
)
from core.services.alerts import AlertService
from core.services.connections import ConnectionService
from core.services.status_cards import CardFacts, status_card
from core.settings import Settings
from core.store.base import Store
from core.taskqueue import RunQueue

log = logging.getLogger(__name__)

_FINISHED = tuple(s for s in RunState if s.is_finished)


class MonitoringService:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        connections: ConnectionService,
        alerts: AlertService,
        queue: RunQueue | None = None,
        budgets: Budgets | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._connections = connections
        self._alerts = alerts
        self._queue = queue
        self._budgets = budgets

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
        """Every card from one query per kind of fact, however many connections there are."""
        store, org = self._store, organisation_id
        facts = CardFacts(
            latest=store.latest_runs(org),
            finished=store.latest_real_runs(org, _FINISHED),
            succeeded=store.latest_real_runs(org, (RunState.SUCCEEDED,)),
            conflicts=store.count_open_conflicts(org),
            records=store.count_records_by_connection(org),
        )
        return [self._card(connection, facts) for connection in store.list_connections(org)]

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
        """One connection's card (the connection page), its facts asked for it alone."""
        store, org, cid = self._store, connection.organisation_id, connection.id
        finished = self._last_real(org, cid, _FINISHED)
        success = self._last_real(org, cid, (RunState.SUCCEEDED,))
        facts = CardFacts(
            latest={cid: last} if last else {},
            finished={cid: finished} if finished else {},
            succeeded={cid: success} if success else {},
            conflicts={cid: store.list_conflicts(org, connection_id=cid, limit=0).total},
            records={cid: store.count_records(org, cid)},
        )
        return self._card(connection, facts)

    def _card(self, connection: Connection, facts: CardFacts) -> ConnectionStatusView:
        return status_card(
            self._connections.public(connection),
            connection,
            facts,
            default_hours=self._settings.sync_interval_hours,
        )

    def _last_real(
        self, org: str, connection_id: str, states: tuple[RunState, ...]
    ) -> SyncRun | None:
        """The newest run in `states` that was not a dry run."""
        runs = self._store.latest_real_runs(org, states, connection_id=connection_id)
        return runs.get(connection_id)

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
            vendor_budgets=self._vendor_budgets(organisation_id),
        )

    def _vendor_budgets(self, organisation_id: str) -> list[VendorBudgetView]:
        if self._budgets is None:
            return []
        try:
            return budget_views(self._budgets, organisation_id)
        except Exception:  # status must answer even when Redis does not
            log.warning("vendor budgets unavailable", exc_info=True)
            return []

    def run_usage(self, organisation_id: str, run: SyncRun) -> RunUsage:
        """What a run spent of its vendor's allowance: calls by kind, per 1,000 records,
        and as a share of the account's daily allowance."""
        if run.organisation_id != organisation_id:
            raise NotFoundError(f"Run {run.id} not found.")
        connection = self._store.get_connection(organisation_id, run.connection_id)
        return RunUsage.of(run, daily_allowance(connection) if connection else None)

    def purge_logs(self, *, older_than_days: int | None = None) -> int:
        days = older_than_days or self._settings.log_retention_days
        return self._store.purge_logs(utcnow() - timedelta(days=days))
