"""One run from start to outcome: validate, then per entity pull and/or push, then audit.

Failure handling follows what the caller can do about it:
- a record that cannot be mapped is logged and skipped (the run goes on);
- a vendor or transient error on one entity is logged and the next entity runs;
  the run ends failed and the next run resumes from the checkpoint;
- refused credentials, an open circuit, a spent daily quota, a cancel or a
  takeover end the run at once (quota: paused, to resume after the reset).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from adapters.base import Adapter
from adapters.budget import counting_for
from core.clock import utcnow
from core.errors import (
    CircuitOpenError,
    FailureCategory,
    QuotaExhaustedError,
    ToothpickError,
    VendorAuthError,
)
from core.models import (
    Connection,
    Direction,
    Entity,
    EntityCounts,
    LogLevel,
    LogStatus,
    Operation,
    RunState,
    SyncRun,
)
from core.page_budget import PageBudget
from core.schemas import RunOutcome
from core.store.base import Store
from core.store_turns import StoreTurns
from core.sync.audit import RunAudit
from core.sync.backfill_pull import FieldBackfill
from core.sync.context import RunContext
from core.sync.control import (
    RunCancelledError,
    RunControl,
    RunHaltedError,
    RunHandedBackError,
    RunLostError,
)
from core.sync.issues import RunIssues
from core.sync.pull import EntityPull
from core.sync.push import EntityPush
from core.sync.reconcile import Reconciliation
from core.sync.resume import resumed_counts

log = logging.getLogger(__name__)


# When entities running together end the run for different reasons, the one to act on:
# a takeover first (the run is not ours), then shutdown, cancel, and the vendor's refusals.
_PRECEDENCE: tuple[type[BaseException], ...] = (
    RunLostError,
    RunHandedBackError,
    RunCancelledError,
    QuotaExhaustedError,
    VendorAuthError,
    CircuitOpenError,
)


def _gather(
    futures: list[tuple[Entity, Future[ToothpickError | None]]],
) -> list[tuple[Entity, ToothpickError]]:
    errors: list[tuple[Entity, ToothpickError]] = []
    stops: list[BaseException] = []
    for entity, future in futures:
        try:
            exc = future.result()
        except RunHaltedError:
            continue
        except BaseException as stop:  # re-raised below, by precedence
            stops.append(stop)
            continue
        if exc is not None:
            errors.append((entity, exc))
    if stops:
        rank = {kind: i for i, kind in enumerate(_PRECEDENCE)}
        raise min(
            stops,
            key=lambda e: min(
                (r for kind, r in rank.items() if isinstance(e, kind)), default=len(rank)
            ),
        )
    return errors


class SyncEngine:
    def __init__(
        self,
        *,
        store: Store,
        adapter: Adapter,
        connection: Connection,
        run: SyncRun,
        control: RunControl,
        entities_in_flight: int = 1,
        page_budget: PageBudget | None = None,
        store_turns: StoreTurns | None = None,
    ) -> None:
        options = run.options
        self.entities_in_flight = max(1, entities_in_flight)
        self.ctx = RunContext(
            store=store,
            adapter=adapter,
            connection=connection,
            run=run,
            control=control,
            audit=RunAudit(store, connection, run.id, dry_run=options.dry_run),
            # A resumed or taken-over run goes on counting from its earlier attempts.
            counts={entity: counts.model_copy() for entity, counts in run.counts.items()},
            policy=options.conflict_policy or connection.conflict_policy,
            direction=options.direction or connection.direction,
            dry_run=options.dry_run,
            page_budget=page_budget,
            store_turns=store_turns,
            issues=RunIssues(
                store=store,
                organisation_id=connection.organisation_id,
                connection_id=connection.id,
                system=connection.system.value,
                run_id=run.id,
                now=utcnow(),
            ),
        )

        # A worker's control shows what the run waits on at the vendor (BaseAdapter).
        watch, waiting_on = getattr(control, "watch", None), getattr(adapter, "waiting_on", None)
        if watch is not None and waiting_on is not None:
            watch(waiting_on)

    def entities(self) -> list[Entity]:
        """The run's entities: the options' or the connection's, that the system supports."""
        info = self.ctx.adapter.info
        wanted = self.ctx.run.options.entities or self.ctx.connection.entities
        wanted = wanted or info.supported_entities
        return [e for e in dict.fromkeys(wanted) if info.support(e).supported]

    def execute(self) -> RunOutcome:
        """Run every entity; RunLostError propagates (the new owner finishes the run)."""
        try:
            entities = self.entities()
            # A later attempt counts the pages its predecessor stored but never beat.
            self.ctx.counts = resumed_counts(self.ctx.store, self.ctx.run, entities)
            self.ctx.progress.entity_count = len(entities)
            errors = self._run_entities(entities)
        except RunCancelledError:
            return self._finish(RunState.CANCELLED, error="Cancelled by a person.")
        except QuotaExhaustedError as exc:
            return self._finish(
                RunState.PAUSED, error=str(exc), category=exc.category, resume_after=exc.resets_at
            )
        except (VendorAuthError, CircuitOpenError) as exc:
            return self._finish(
                RunState.FAILED,
                error=str(exc),
                category=exc.category,
                needs_reconnect=isinstance(exc, VendorAuthError),
            )
        if errors:
            message = "; ".join(f"{entity.value}: {exc}" for entity, exc in errors)
            return self._finish(RunState.FAILED, error=message, category=errors[0][1].category)
        return self._finish(RunState.SUCCEEDED)

    def _run_entities(self, entities: list[Entity]) -> list[tuple[Entity, ToothpickError]]:
        """Every entity, several at once for a pull (a run waits on its vendor almost all
        the time); the adapter's limiter bounds the calls. Pushes keep their order, since
        a pushed order may need the customer pushed before it."""
        width = min(self.entities_in_flight, len(entities))
        numbered = list(enumerate(entities, 1))
        if width <= 1 or self.ctx.direction is not Direction.PULL:
            failed = ((entity, self._entity(n, entity)) for n, entity in numbered)
            return [(entity, exc) for entity, exc in failed if exc is not None]
        name = f"run-{self.ctx.run.id[-8:]}"  # ids are time-ordered: their heads match
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix=name) as pool:
            futures = [(entity, pool.submit(self._entity, n, entity)) for n, entity in numbered]
        return _gather(futures)

    def _entity(self, number: int, entity: Entity) -> ToothpickError | None:
        """One entity; a failure of its own is returned, one that ends the run is raised
        (and stops the run's other entities at their next checkpoint)."""
        self.ctx.progress.entity_number = number  # with entities in flight: the latest begun
        try:
            with counting_for(entity.value):  # this thread's calls are the entity's
                self._sync_entity(entity)
        except RunHaltedError:
            raise
        except (VendorAuthError, CircuitOpenError, QuotaExhaustedError):
            self.ctx.halted = True
            raise
        except ToothpickError as exc:
            self._entity_failed(entity, exc)
            return exc
        except BaseException:
            self.ctx.halted = True
            raise
        return None

    def _sync_entity(self, entity: Entity) -> None:
        ctx = self.ctx
        support = ctx.adapter.info.support(entity)
        ctx.progress.entity_started_at, ctx.progress.entity_expected = utcnow(), None
        ctx.checkpoint(entity, f"Starting {entity.value}")
        ctx.adapter.check_fields(entity)  # a mapped field gone: nothing read, stored or sent
        options = ctx.run.options
        if options.backfill:
            FieldBackfill(ctx, entity, options.backfill_fields.get(entity, [])).run()
        elif options.reconcile:
            pull = EntityPull(ctx, entity)
            # Catch up first (an incremental read): what changed since the last sync is
            # the incremental's to carry, so the counts then differ only by what was lost
            # (purged, or stamped behind the cursor) and a create cannot mask a delete.
            pull.run()
            Reconciliation(ctx, entity, pull.apply_records).run()
        elif ctx.direction in (Direction.PULL, Direction.BOTH):
            EntityPull(ctx, entity).run()
        if (
            ctx.direction in (Direction.PUSH, Direction.BOTH)
            and support.writable
            and not (options.reconcile or options.backfill)
        ):
            ctx.progress.entity_expected = None  # the vendor's count was of the read
            EntityPush(ctx, entity).run()
        ctx.absorb_call_stats(entity)
        ctx.audit.flush()
        self._flush_issues()

    def _flush_issues(self) -> None:
        """Per-record failures are kept by real runs only (a dry run changes nothing)."""
        if not self.ctx.dry_run:
            self.ctx.issues.flush()

    def _entity_failed(self, entity: Entity, exc: ToothpickError) -> None:
        self.ctx.absorb_call_stats(entity)
        self.ctx.audit.add(
            Operation.PULL,
            f"{entity.value} stopped: {exc}",
            entity=entity,
            level=LogLevel.ERROR,
            status=LogStatus.ERROR,
            error_category=exc.category,
            http_status=getattr(exc, "status", None),
        )
        self.ctx.audit.flush()
        self._flush_issues()

    def _finish(
        self,
        state: RunState,
        *,
        error: str | None = None,
        category: FailureCategory | None = None,
        resume_after: datetime | None = None,
        needs_reconnect: bool = False,
    ) -> RunOutcome:
        ctx = self.ctx
        totals = EntityCounts()
        for counts in ctx.counts.values():
            totals = totals.add(counts)
        duration_ms = (utcnow() - ctx.started).total_seconds() * 1000
        status = {
            RunState.SUCCEEDED: LogStatus.WARNING if totals.failed else LogStatus.SUCCESS,
            RunState.PAUSED: LogStatus.WARNING,
            RunState.CANCELLED: LogStatus.SKIPPED,
        }.get(state, LogStatus.ERROR)
        options = ctx.run.options
        mode = "Reconciliation" if options.reconcile else "Sync"
        mode = "Dry run" if ctx.dry_run else "Backfill" if options.backfill else mode
        summary = (
            f"{mode} {state.value}: read {totals.read}, created {totals.created}, "
            f"updated {totals.updated}, deleted {totals.deleted}, pushed {totals.pushed}, "
            f"conflicts {totals.conflicts}, failed {totals.failed}"
        )
        if (complete := totals.completeness()) is not None:
            summary += f"; {complete}"
        ctx.audit.add(
            Operation.SYNC,
            summary + (f". {error}" if error else ""),
            level=LogLevel.ERROR if status is LogStatus.ERROR else LogLevel.INFO,
            status=status,
            error_category=category,
            duration_ms=duration_ms,
            records_processed=totals.read + totals.pushed,
            records_created=totals.created,
            records_updated=totals.updated,
            records_failed=totals.failed,
            metadata={
                "trigger": ctx.run.trigger.value,
                "direction": ctx.direction.value,
                "api_calls": totals.api_calls,
                "retries": totals.retries,
                "rate_limit_wait_s": round(totals.rate_limit_wait_s, 3),
                "pages": totals.pages,
            },
        )
        ctx.audit.flush()
        return RunOutcome(
            state=state,
            counts=dict(ctx.counts),
            planned=list(ctx.planned),
            error=error,
            error_category=category,
            resume_after=resume_after,
            needs_reconnect=needs_reconnect,
        )
