"""Sync runs: queue (outside the caller), inspect, cancel, and execute (for workers)."""

from __future__ import annotations

import logging

from adapters.registry import build_adapter
from core.clock import utcnow
from core.errors import InvalidInputError, NotFoundError, RunAlreadyActiveError, ToothpickError
from core.models import (
    Connection,
    ConnectionStatus,
    Entity,
    LogLevel,
    LogStatus,
    Operation,
    RunState,
    RunTrigger,
    SyncOptions,
    SyncRun,
)
from core.runtime import Runtime
from core.services.connections import ConnectionService
from core.store.queries import Page
from core.sync import RunControl, RunOutcome, SyncEngine
from core.sync.audit import RunAudit

log = logging.getLogger(__name__)


class SyncService(ConnectionService):
    runtime: Runtime

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
        connection = self._connection(organisation_id, connection_id)
        options = options or SyncOptions()
        if connection.status is ConnectionStatus.DISABLED:
            raise InvalidInputError(
                f"{connection.name!r} is disabled; enable it before syncing.", field=None
            )
        info = self.system(connection.system)
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
            return self.runtime.store.create_run(run)
        except RunAlreadyActiveError as exc:
            raise RunAlreadyActiveError(
                f"{connection.name!r} already has a sync in progress (run {exc.run_id}); "
                "wait for it to finish or cancel it.",
                run_id=exc.run_id,
            ) from None

    def get_run(self, organisation_id: str, run_id: str) -> SyncRun:
        run = self.runtime.store.get_run(organisation_id, run_id)
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
        return self.runtime.store.list_runs(
            organisation_id, connection_id=connection_id, offset=offset, limit=limit
        )

    def cancel_run(self, organisation_id: str, run_id: str) -> SyncRun:
        return self.runtime.store.request_cancel(organisation_id, run_id, now=utcnow())

    # -- worker side --------------------------------------------------------------------

    def execute_claimed_run(self, run: SyncRun, control: RunControl) -> RunOutcome:
        """Run a claimed run to its outcome (the worker records the outcome).

        RunLostError propagates: the run belongs to another worker now.
        """
        connection = self.runtime.store.get_connection(run.organisation_id, run.connection_id)
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
            adapter = build_adapter(
                self._adapter_context(
                    connection, self._open_secret(connection), store_refreshed=True
                )
            )
        except ToothpickError as exc:
            return self._setup_failed(connection, run, exc)
        try:
            engine = SyncEngine(
                store=self.runtime.store,
                adapter=adapter,
                connection=connection,
                run=run,
                control=control,
            )
            outcome = engine.execute()
        finally:
            adapter.close()
        if outcome.needs_reconnect:
            self.mark_needs_reconnect(connection, outcome.error or "The vendor refused access.")
        return outcome

    def _setup_failed(
        self, connection: Connection, run: SyncRun, exc: ToothpickError
    ) -> RunOutcome:
        audit = RunAudit(self.runtime.store, connection, run.id, dry_run=run.options.dry_run)
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
        connection = self._connection(organisation_id, connection_id)
        return self.system(connection.system).supported_entities
