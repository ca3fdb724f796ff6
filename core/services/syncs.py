"""Sync runs: queue (outside the caller), inspect, cancel; and the processes' side of runs.

Workers claim, beat, execute and finish runs here; the scheduler lists what to
queue and when. Neither process sees the store: every step is a method below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from core.clock import utcnow
from core.errors import InvalidInputError, NotFoundError, RunAlreadyActiveError, ToothpickError
from core.models import (
    Connection,
    ConnectionStatus,
    Entity,
    EntityCounts,
    Lease,
    LogLevel,
    LogStatus,
    Operation,
    RunProgress,
    RunState,
    RunTrigger,
    SyncOptions,
    SyncRun,
)
from core.page_budget import PageBudget
from core.run_retry import plan_retry
from core.schedule import next_sync_at
from core.schemas import HeartbeatAck, LogFilter, Page, RunOutcome, ScheduledConnection
from core.services.alerts import AlertService
from core.services.connections import ConnectionService
from core.settings import Settings
from core.store.base import Store
from core.store_turns import StoreTurns
from core.sync import RunControl, SyncEngine
from core.sync.audit import RunAudit
from core.takeover import attempt_entry, handed_back_entry
from core.taskqueue import RunQueue

log = logging.getLogger(__name__)


class SyncService:
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
        self._queue = queue  # REDIS_URL set: a queued run is also a Dramatiq message
        # Pages held between fetching and storing by all the runs of this process.
        self._page_budget = PageBudget(settings.records_buffered)
        self._store_turns = StoreTurns(settings.store_turns)  # and stored in turns
        self._run_end_listeners: list[Callable[[SyncRun], object]] = []

    def on_run_end(self, listener: Callable[[SyncRun], object]) -> None:
        """`listener(run)` after a run's outcome was stored, its follow-ups queued (a
        mapping change's pending backfill, core.services.backfill); it must not raise."""
        self._run_end_listeners.append(listener)

    def queue_sync(
        self,
        organisation_id: str,
        connection_id: str,
        options: SyncOptions | None = None,
        *,
        trigger: RunTrigger = RunTrigger.MANUAL,
    ) -> SyncRun:
        """Queue a run and return at once; a worker process executes it.

        A connection never runs twice at the same time: while one of its runs is
        queued, running or paused, another request is refused with a message
        naming the active run (RunAlreadyActiveError).
        """
        connection = self._connections.stored_connection(organisation_id, connection_id)
        options = options or SyncOptions()
        if connection.status is ConnectionStatus.DISABLED:
            raise InvalidInputError(
                f"{connection.name!r} is disabled; enable it before syncing.", field=None
            )
        info = self._connections.system(connection.system)
        for entity in options.entities or []:
            if not info.support(entity).supported:
                raise InvalidInputError(
                    f"entities: {info.support(entity).reason}", field="entities"
                )
        run = SyncRun(
            organisation_id=organisation_id,
            connection_id=connection_id,
            system=connection.system,
            trigger=trigger,
            options=options,
        )
        try:
            created = self._store.create_run(run)
        except RunAlreadyActiveError as exc:
            raise RunAlreadyActiveError(
                f"{connection.name!r} already has a sync in progress (run {exc.run_id}); "
                "wait for it to finish or cancel it.",
                run_id=exc.run_id,
            ) from None
        self._publish(created.id)
        return created

    def _publish(self, run_id: str, *, delay_s: float = 0.0) -> bool:
        """Best effort: the run is stored; a message that cannot be sent now is sent
        again by `republish_due`."""
        if self._queue is None:
            return False
        try:
            self._queue.publish(run_id, delay_s=delay_s)
        except ToothpickError as exc:
            log.warning("%s; the run stays queued and is published again later", exc)
            return False
        return True

    def republish_due(self, *, queued_grace_s: float = 30.0, stale_after_s: float = 60.0) -> int:
        """Publish again what a lost message would leave behind (REDIS_URL mode only):
        queued runs older than the grace period, paused runs whose time came, running
        runs whose heartbeat is stale. Duplicates are harmless: the claim decides."""
        if self._queue is None:
            return 0
        now = utcnow()
        queued_before = now - timedelta(seconds=queued_grace_s)
        stale_before = now - timedelta(seconds=stale_after_s)
        published = 0
        states = (RunState.QUEUED, RunState.PAUSED, RunState.RUNNING)
        organisations = {c.organisation_id for c in self._store.list_connections(None)}
        for organisation_id in sorted(organisations):
            for run in self._store.list_runs(organisation_id, states=states, limit=10_000).items:
                due = (
                    (run.state is RunState.QUEUED and run.created_at < queued_before)
                    or (
                        run.state is RunState.PAUSED
                        and (run.resume_after is None or run.resume_after <= now)
                    )
                    or (
                        run.state is RunState.RUNNING
                        and (run.heartbeat_at is None or run.heartbeat_at < stale_before)
                    )
                )
                if due and self._publish(run.id):
                    published += 1
        return published

    def get_run(self, organisation_id: str, run_id: str) -> SyncRun:
        run = self._store.get_run(organisation_id, run_id)
        if run is None:
            raise NotFoundError(f"No run {run_id!r} in this organisation.")
        return run

    def list_runs(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[SyncRun]:
        return self._store.list_runs(
            organisation_id, connection_id=connection_id, offset=offset, limit=limit
        )

    def cancel_run(self, organisation_id: str, run_id: str) -> SyncRun:
        return self._store.request_cancel(organisation_id, run_id, now=utcnow())

    # -- worker side --------------------------------------------------------------------

    def claim_next_run(self, worker_id: str, *, stale_after_s: float) -> SyncRun | None:
        """Atomically take the oldest queued run (or one whose heartbeat went stale)."""
        now = utcnow()
        run = self._store.claim_next_run(
            worker_id, now=now, stale_before=now - timedelta(seconds=stale_after_s)
        )
        return self._told_attempt(run, worker_id, now=now, stale_after_s=stale_after_s)

    def claim_run(self, run_id: str, worker_id: str, *, stale_after_s: float) -> SyncRun | None:
        """Take one named run (inline CLI runs, task-queue messages); None if not claimable."""
        now = utcnow()
        run = self._store.claim_run(
            run_id, worker_id, now=now, stale_before=now - timedelta(seconds=stale_after_s)
        )
        return self._told_attempt(run, worker_id, now=now, stale_after_s=stale_after_s)

    def _told_attempt(
        self, run: SyncRun | None, worker_id: str, *, now: datetime, stale_after_s: float
    ) -> SyncRun | None:
        """A second or later attempt says in the run's log why it happens (core.takeover)."""
        entry = (
            None
            if run is None
            else attempt_entry(run, worker_id, now=now, stale_after_s=stale_after_s)
        )
        if entry is not None:
            self._store.append_logs([entry])
        return run

    def heartbeat(
        self,
        run_id: str,
        worker_id: str,
        *,
        progress: RunProgress,
        counts: dict[Entity, EntityCounts],
    ) -> HeartbeatAck:
        """Store a claimed run's progress; the answer says whether to stop."""
        return self._store.heartbeat_run(
            run_id, worker_id, now=utcnow(), progress=progress, counts=counts
        )

    def record_outcome(self, run: SyncRun, worker_id: str, outcome: RunOutcome) -> bool:
        """Store a run's outcome (False if another worker owns it now), then open or
        resolve the alerts it calls for (dry runs leave alerts and health alone)."""
        store = self._store
        connection = store.get_connection(run.organisation_id, run.connection_id)
        retry = plan_retry(run, connection, outcome, self._settings, now=utcnow())
        stored = retry or outcome  # a retried failure waits paused; alerts still see it
        finished = store.finish_run(
            run.id,
            worker_id,
            now=utcnow(),
            state=stored.state,
            counts=stored.counts,
            planned=stored.planned,
            error=stored.error,
            error_category=stored.error_category,
            resume_after=stored.resume_after,
            retries=run.retries + 1 if retry is not None else None,
        )
        if finished and stored.state is RunState.PAUSED and stored.resume_after is not None:
            self._publish(run.id, delay_s=(stored.resume_after - utcnow()).total_seconds())
        if finished and connection is not None:
            self._alerts.on_outcome(connection, run, outcome)
            self._follow_webhooks(run)
            for listener in self._run_end_listeners:
                listener(run)
        return finished

    def hand_back(self, run: SyncRun, worker_id: str, counts: dict[Entity, EntityCounts]) -> bool:
        """A worker shutting down gives a run back to the queue at its last checkpoint
        (no outcome, no alert): the next worker to claim it resumes from there."""
        handed = self._store.finish_run(
            run.id, worker_id, now=utcnow(), state=RunState.QUEUED, counts=counts
        )
        if handed:
            self._store.append_logs([handed_back_entry(run, worker_id, now=utcnow())])
            self._publish(run.id)
        return handed

    def _follow_webhooks(self, run: SyncRun) -> None:
        """Queue one more run for change notifications this run may have missed: those
        logged after it started reading, or for entities it did not cover."""
        notes = self._store.query_logs(
            run.organisation_id,
            LogFilter(
                connection_ids=[run.connection_id],
                operations=[Operation.WEBHOOK],
                statuses=[LogStatus.SUCCESS],
                since=run.created_at,
            ),
            limit=500,
        ).items
        covered = set(run.options.entities or [])
        missed: set[Entity] = set()
        for note in notes:
            touched = {Entity(e) for e in note.metadata.get("entities", [])}
            late = run.started_at is not None and note.time >= run.started_at
            if late or (covered and not touched <= covered):
                missed |= touched
        if not missed:
            return
        try:
            self.queue_sync(
                run.organisation_id,
                run.connection_id,
                SyncOptions(entities=sorted(missed)),
                trigger=RunTrigger.WEBHOOK,
            )
        except ToothpickError as exc:  # another run is active already, or disabled
            log.info("no follow-up run for %s: %s", run.connection_id, exc)

    def execute_claimed_run(self, run: SyncRun, control: RunControl) -> RunOutcome:
        """Run a claimed run to its outcome (the worker records the outcome).

        RunLostError propagates: the run belongs to another worker now.
        """
        connection = self._store.get_connection(run.organisation_id, run.connection_id)
        if connection is None:
            return RunOutcome(
                state=RunState.FAILED,
                counts={},
                error="The connection was deleted before the run started.",
            )
        if connection.status is ConnectionStatus.DISABLED:
            return RunOutcome(
                state=RunState.CANCELLED, counts={}, error="The connection was disabled."
            )
        try:
            adapter = self._connections.open_adapter(connection, page_budget=self._page_budget)
        except ToothpickError as exc:
            return self._setup_failed(connection, run, exc)
        try:
            engine = SyncEngine(
                store=self._store,
                adapter=adapter,
                connection=connection,
                run=run,
                control=control,
                entities_in_flight=self._settings.entities_in_flight,
                page_budget=self._page_budget,
                store_turns=self._store_turns,
            )
            outcome = engine.execute()
        finally:
            adapter.close()
        if outcome.needs_reconnect and not run.options.dry_run:
            self._connections.mark_needs_reconnect(
                connection, outcome.error or "The vendor refused access."
            )
        return outcome

    def _setup_failed(
        self, connection: Connection, run: SyncRun, exc: ToothpickError
    ) -> RunOutcome:
        audit = RunAudit(self._store, connection, run.id, dry_run=run.options.dry_run)
        audit.add(
            Operation.SYNC,
            f"Sync failed before it started: {exc}",
            level=LogLevel.ERROR,
            status=LogStatus.ERROR,
            error_category=exc.category,
        )
        audit.flush()
        return RunOutcome(
            state=RunState.FAILED, counts={}, error=str(exc), error_category=exc.category
        )

    def supported_entities(self, organisation_id: str, connection_id: str) -> list[Entity]:
        connection = self._connections.stored_connection(organisation_id, connection_id)
        return self._connections.system(connection.system).supported_entities

    # -- process leases (one scheduler at a time; live workers) ---------------------------

    def hold_lease(
        self, name: str, holder: str, *, ttl_s: float, info: dict[str, object] | None = None
    ) -> bool:
        """Take or renew a lease for `ttl_s`; False while another holder's is valid."""
        now = utcnow()
        lease = Lease(
            name=name,
            holder=holder,
            acquired_at=now,
            renewed_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
            info=dict(info or {}),
        )
        return self._store.acquire_lease(lease, now=now) is not None

    def release_lease(self, name: str, holder: str) -> None:
        self._store.release_lease(name, holder)

    # -- scheduler side -----------------------------------------------------------------

    def scheduled_connections(self, *, now: datetime | None = None) -> list[ScheduledConnection]:
        """Every organisation's connections that sync on a schedule (the scheduler's list)."""
        now = now or utcnow()
        latest: dict[str, dict[str, SyncRun]] = {}
        found = []
        for connection in self._store.list_connections(None):
            schedule = connection.schedule
            if connection.status is not ConnectionStatus.ACTIVE or not schedule.enabled:
                continue
            hours = schedule.interval_hours or self._settings.sync_interval_hours
            if connection.organisation_id not in latest:
                latest[connection.organisation_id] = self._store.latest_runs(
                    connection.organisation_id
                )
            last = latest[connection.organisation_id].get(connection.id)
            found.append(
                ScheduledConnection(
                    organisation_id=connection.organisation_id,
                    connection_id=connection.id,
                    name=connection.name,
                    cron=schedule.cron or None,
                    interval_hours=hours,
                    next_sync_at=next_sync_at(
                        connection,
                        last_scheduled_at=last.created_at if last else None,
                        now=now,
                        default_hours=hours,
                    ),
                    reconcile_hours=self._settings.reconcile_interval_hours,
                )
            )
        return found

    def queue_reconciliation(self, organisation_id: str, connection_id: str) -> SyncRun:
        """Queue a scheduled reconciliation (core.sync.reconcile) of every entity."""
        return self.queue_sync(
            organisation_id,
            connection_id,
            SyncOptions(reconcile=True),
            trigger=RunTrigger.SCHEDULED,
        )

    def next_reconciliation_at(
        self, organisation_id: str, connection_id: str, *, now: datetime | None = None
    ) -> datetime:
        """A day (the setting) after the connection's latest reconciliation or full sync
        among its recent runs, so a restarted scheduler neither repeats nor skips one;
        now when none is recent."""
        now = now or utcnow()
        every = timedelta(hours=self._settings.reconcile_interval_hours)
        recent = self._store.list_runs(organisation_id, connection_id=connection_id, limit=50)
        done = [
            r.created_at
            for r in recent.items
            if (r.options.reconcile or r.options.full)
            and not r.options.dry_run
            and r.state is RunState.SUCCEEDED
        ]
        return max(max(done) + every, now) if done else now
