"""Alerts with a lifecycle: open once, acknowledge, resolve when the condition clears.

Seven rules, each on one (connection, kind) at a time (the store keeps one
unresolved alert per pair, so a rule that fires again only counts):

- consecutive_failures: the last N real runs failed; cleared by a success;
- connectivity: a run failed for a transient (network) reason; cleared by a success;
- slow_responses: the p95 sync time over 24 h is above the threshold; cleared
  when a finished run finds it below;
- rate_limit: one run waited at least the threshold on vendor limits; cleared
  by a finished run that waited less;
- quota: a run paused on a spent vendor quota; cleared by a success;
- needs_reconnect: the vendor refused our credentials; cleared by a success
  or, in the sweep, once the connection is active again;
- stuck_run: a running run's heartbeat is older than allowed (sweep); cleared
  when no such run remains.

Dry runs change nothing here: they report, they never move a connection's
health. Every transition (opened, acknowledged, resolved) is handed once to
the listeners (the notifications area), after the store said it happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from core.clock import utcnow
from core.errors import FailureCategory, NotFoundError
from core.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    AlertThresholds,
    Connection,
    ConnectionStatus,
    RunState,
    SyncRun,
)
from core.schemas import (
    AlertTransition,
    EffectiveThresholds,
    RunOutcome,
    Transition,
)
from core.services.connections import ConnectionService
from core.settings import Settings
from core.store.base import Store

log = logging.getLogger(__name__)

SYSTEM = "system"  # who resolves an alert whose condition cleared
Listener = Callable[[list[AlertTransition]], object]
_FINISHED = tuple(state for state in RunState if state.is_finished)
_CLEARED_BY_SUCCESS = (
    AlertKind.CONSECUTIVE_FAILURES,
    AlertKind.CONNECTIVITY,
    AlertKind.QUOTA,
    AlertKind.NEEDS_RECONNECT,
)


class AlertService:
    def __init__(self, *, settings: Settings, store: Store, connections: ConnectionService) -> None:
        self._settings = settings
        self._store = store
        self._connections = connections
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        """`listener(transitions)` after each change; it must not block (it queues)."""
        self._listeners.append(listener)

    # -- reading and acting ----------------------------------------------------------------

    def open_alerts(self, organisation_id: str) -> list[Alert]:
        return self._store.list_alerts(organisation_id, open_only=True)

    def history(self, organisation_id: str) -> list[Alert]:
        return self._store.list_alerts(organisation_id, open_only=False)

    def acknowledge(self, organisation_id: str, alert_id: str, *, by: str | None = None) -> Alert:
        alert = self._store.acknowledge_alert(organisation_id, alert_id, at=utcnow(), by=by)
        if alert is None:
            raise NotFoundError(f"No open, unacknowledged alert {alert_id!r} in this organisation.")
        self._emit([AlertTransition(alert=alert, transition=Transition.ACKNOWLEDGED)])
        return alert

    def resolve(self, organisation_id: str, alert_id: str, *, by: str) -> Alert:
        resolved = self._store.resolve_alerts(
            organisation_id, at=utcnow(), by=by, alert_id=alert_id
        )
        if not resolved:
            raise NotFoundError(f"No open alert {alert_id!r} in this organisation.")
        self._emit([AlertTransition(alert=a, transition=Transition.RESOLVED) for a in resolved])
        return resolved[0]

    # -- thresholds ------------------------------------------------------------------------

    def thresholds(self, organisation_id: str, connection_id: str) -> EffectiveThresholds:
        return self._effective(self._connections.stored_connection(organisation_id, connection_id))

    def set_thresholds(
        self, organisation_id: str, connection_id: str, overrides: AlertThresholds
    ) -> EffectiveThresholds:
        """Store a connection's overrides (None fields fall back to the settings)."""
        connection = self._connections.stored_connection(organisation_id, connection_id)
        updated = connection.model_copy(update={"alert_thresholds": overrides})
        self._store.update_connection(updated)
        return self._effective(updated)

    def _effective(self, connection: Connection) -> EffectiveThresholds:
        own, settings = connection.alert_thresholds, self._settings
        return EffectiveThresholds(
            consecutive_failures=own.consecutive_failures or settings.alert_consecutive_failures,
            p95_response_ms=own.p95_response_ms or settings.alert_p95_response_ms,
            rate_limit_wait_s=own.rate_limit_wait_s or settings.alert_rate_limit_wait_s,
        )

    # -- rules -----------------------------------------------------------------------------

    def on_outcome(
        self, connection: Connection, run: SyncRun, outcome: RunOutcome
    ) -> list[AlertTransition]:
        """Open and resolve what a recorded run outcome calls for (SyncService calls this)."""
        if run.options.dry_run:
            return []
        rules = _Rules(self._store, connection, now=utcnow())
        limits = self._effective(connection)
        state = outcome.state
        if outcome.needs_reconnect:
            rules.open(
                AlertKind.NEEDS_RECONNECT,
                AlertSeverity.CRITICAL,
                f"needs reconnecting — {outcome.error}",
            )
        if state is RunState.SUCCEEDED:
            rules.clear(*_CLEARED_BY_SUCCESS)
        elif state is RunState.PAUSED:
            resume = outcome.resume_after
            when = resume.isoformat(timespec="minutes") if resume else "?"
            rules.open(
                AlertKind.QUOTA, AlertSeverity.WARNING, f"vendor API quota spent; resumes {when}"
            )
        elif state is RunState.FAILED:
            if outcome.error_category is FailureCategory.TRANSIENT:
                rules.open(AlertKind.CONNECTIVITY, AlertSeverity.WARNING, f"{outcome.error}")
            if self._failed_in_a_row(connection, limits.consecutive_failures):
                rules.open(
                    AlertKind.CONSECUTIVE_FAILURES,
                    AlertSeverity.CRITICAL,
                    f"the last {limits.consecutive_failures} syncs failed; latest: {outcome.error}",
                )
        self._completeness(rules, outcome)
        if state in (RunState.SUCCEEDED, RunState.FAILED):
            waited = sum(c.rate_limit_wait_s for c in outcome.counts.values())
            if waited >= limits.rate_limit_wait_s:
                rules.open(
                    AlertKind.RATE_LIMIT,
                    AlertSeverity.INFO,
                    f"waited {waited:.0f} s on the vendor's rate limits in one sync",
                )
            else:
                rules.clear(AlertKind.RATE_LIMIT)
            p95 = self._p95_ms(connection, rules.now)
            if p95 is not None and p95 > limits.p95_response_ms:
                rules.open(
                    AlertKind.SLOW_RESPONSES,
                    AlertSeverity.WARNING,
                    f"p95 sync time over 24 h is {p95 / 1000:.1f} s "
                    f"(threshold {limits.p95_response_ms / 1000:.1f} s)",
                )
            elif p95 is not None:
                rules.clear(AlertKind.SLOW_RESPONSES)
        self._emit(rules.transitions)
        return rules.transitions

    @staticmethod
    def _completeness(rules: _Rules, outcome: RunOutcome) -> None:
        """Reconciliation left a difference that neither its repair nor known record issues
        explain: someone must look (core.sync.reconcile). A clean count clears it."""
        counted = [c for c in outcome.counts.values() if c.vendor_count is not None]
        unexplained = sum(c.unexplained for c in counted)
        if unexplained:
            entities = ", ".join(e.value for e, c in outcome.counts.items() if c.unexplained)
            rules.open(
                AlertKind.INCOMPLETE,
                AlertSeverity.WARNING,
                f"reconciliation: {unexplained:,} record(s) of {entities} differ from the "
                "vendor and could not be repaired or explained by record issues",
            )
        elif counted and outcome.state is RunState.SUCCEEDED:
            rules.clear(AlertKind.INCOMPLETE)

    def sweep(self, *, now: datetime | None = None) -> list[AlertTransition]:
        """The standing conditions no run reports: stuck runs, connections to reconnect.

        The scheduler calls this every minute; it is idempotent.
        """
        now = now or utcnow()
        stale_before = now - timedelta(seconds=self._settings.alert_stuck_after_s)
        transitions: list[AlertTransition] = []
        organisations: dict[str, list[Connection]] = {}
        for connection in self._store.list_connections(None):
            organisations.setdefault(connection.organisation_id, []).append(connection)
        for organisation_id, connections in organisations.items():
            running = self._store.list_runs(
                organisation_id, states=(RunState.RUNNING,), limit=10_000
            ).items
            stuck = {
                run.connection_id: run
                for run in running
                if run.heartbeat_at is not None and run.heartbeat_at < stale_before
            }
            for connection in connections:
                rules = _Rules(self._store, connection, now=now)
                if connection.status is ConnectionStatus.NEEDS_RECONNECT:
                    rules.open(
                        AlertKind.NEEDS_RECONNECT,
                        AlertSeverity.CRITICAL,
                        f"needs reconnecting — {connection.status_detail or 'access refused'}",
                    )
                else:
                    rules.clear(AlertKind.NEEDS_RECONNECT)
                run = stuck.get(connection.id)
                if run is not None and run.heartbeat_at is not None:
                    silent = (now - run.heartbeat_at).total_seconds()
                    rules.open(
                        AlertKind.STUCK_RUN,
                        AlertSeverity.WARNING,
                        f"run {run.id} has not reported for {silent:.0f} s "
                        f"(worker {run.worker_id})",
                    )
                else:
                    rules.clear(AlertKind.STUCK_RUN)
                transitions.extend(rules.transitions)
        self._emit(transitions)
        return transitions

    def _failed_in_a_row(self, connection: Connection, count: int) -> bool:
        recent = self._store.list_runs(
            connection.organisation_id,
            connection_id=connection.id,
            states=_FINISHED,
            limit=count * 4,
        ).items
        real = [run for run in recent if not run.options.dry_run][:count]
        return len(real) >= count and all(run.state is RunState.FAILED for run in real)

    def _p95_ms(self, connection: Connection, now: datetime) -> float | None:
        return self._store.sync_p95_ms(
            connection.organisation_id, connection.id, since=now - timedelta(hours=24), until=now
        )

    def _emit(self, transitions: list[AlertTransition]) -> None:
        if not transitions:
            return
        for listener in self._listeners:
            try:
                listener(transitions)
            except Exception:  # a notification problem never fails a sync or a click
                log.exception("alert listener failed")


class _Rules:
    """Open and clear alerts of one connection, collecting the transitions that happened."""

    def __init__(self, store: Store, connection: Connection, *, now: datetime) -> None:
        self._store = store
        self._connection = connection
        self.now = now
        self.transitions: list[AlertTransition] = []

    def open(self, kind: AlertKind, severity: AlertSeverity, message: str) -> None:
        connection = self._connection
        candidate = Alert(
            organisation_id=connection.organisation_id,
            connection_id=connection.id,
            system=connection.system,
            kind=kind,
            severity=severity,
            message=f"{connection.name}: {message}"[:2000],
            created_at=self.now,
            last_seen_at=self.now,
        )
        stored = self._store.raise_alert(candidate)
        if stored.id == candidate.id:
            self.transitions.append(AlertTransition(alert=stored, transition=Transition.OPENED))

    def clear(self, *kinds: AlertKind) -> None:
        resolved = self._store.resolve_alerts(
            self._connection.organisation_id,
            at=self.now,
            by=SYSTEM,
            connection_id=self._connection.id,
            kinds=kinds,
        )
        self.transitions.extend(
            AlertTransition(alert=alert, transition=Transition.RESOLVED) for alert in resolved
        )
