"""State one run carries through its entities: settings resolved once, counters, report."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.base import Adapter, CallStats
from core.clock import utcnow
from core.models import (
    ConflictPolicy,
    Connection,
    Direction,
    Entity,
    EntityCounts,
    PlannedChange,
    RunProgress,
    SyncRun,
)
from core.store.base import Store
from core.sync.audit import RunAudit
from core.sync.control import RunControl, RunHaltedError
from core.sync.issues import RunIssues

# A dry run's report keeps this many lines; the counts stay exact beyond it.
PLANNED_LIMIT = 5000


@dataclass
class RunContext:
    store: Store
    adapter: Adapter
    connection: Connection
    run: SyncRun
    control: RunControl
    audit: RunAudit
    policy: ConflictPolicy
    direction: Direction
    dry_run: bool
    issues: RunIssues
    # Pages fetched and not yet stored, shared by every run of the process (None: no cap).
    page_budget: threading.Semaphore | None = None
    started: datetime = field(default_factory=utcnow)
    counts: dict[Entity, EntityCounts] = field(default_factory=dict)
    planned: list[PlannedChange] = field(default_factory=list)
    progress: RunProgress = field(default_factory=RunProgress)
    # A dry run stores nothing, so its push would meet the records its pull already settled
    # as still changed on both sides and count them twice: the pull notes here what a real
    # run would leave pending for each (an empty dict: nothing left to push).
    settled: dict[tuple[Entity, str], dict[str, Any]] = field(default_factory=dict)
    _stats_mark: CallStats = field(default_factory=CallStats)
    # Entities may run on several threads (core.sync.engine): progress, the call-stats mark
    # and the control are touched under this lock; `halted` stops the others at their
    # next checkpoint once one entity has ended the run.
    halted: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def organisation_id(self) -> str:
        return self.connection.organisation_id

    @property
    def connection_id(self) -> str:
        return self.connection.id

    def entity_counts(self, entity: Entity) -> EntityCounts:
        return self.counts.setdefault(entity, EntityCounts())

    def plan(self, change: PlannedChange) -> None:
        if len(self.planned) < PLANNED_LIMIT:
            self.planned.append(change)

    def absorb_call_stats(self, entity: Entity) -> None:
        """Move the adapter's call counters since the last mark onto this entity (entities
        in flight together share one adapter: the run's totals are exact, the split
        between those entities is by who checkpointed first)."""
        with self._lock:
            self._absorb(entity)

    def _absorb(self, entity: Entity) -> None:
        now = self.adapter.stats.snapshot()
        counts = self.entity_counts(entity)
        counts.api_calls += now.api_calls - self._stats_mark.api_calls
        counts.retries += now.retries - self._stats_mark.retries
        counts.rate_limit_wait_s += now.rate_limit_wait_s - self._stats_mark.rate_limit_wait_s
        for kind, calls in now.by_kind.items():
            field_name = f"{kind}_calls"
            spent = calls - self._stats_mark.by_kind.get(kind, 0)
            setattr(counts, field_name, getattr(counts, field_name, 0) + spent)
        self.progress.rate_limit_wait_s = sum(c.rate_limit_wait_s for c in self.counts.values())
        self._stats_mark = now

    def checkpoint(self, entity: Entity, message: str | None = None) -> None:
        """Durable point: flush the audit, report progress, honour cancel/takeover/halt."""
        with self._lock:
            if self.halted:
                raise RunHaltedError(f"{entity.value} stopped: another entity ended the run")
            self._absorb(entity)
            self.audit.flush()
            self.progress.current_entity = entity
            self.progress.records = sum(c.read + c.pushed for c in self.counts.values())
            self.progress.pages = sum(c.pages for c in self.counts.values())
            self.progress.entity_read = self.entity_counts(entity).read
            if message:
                self.progress.message = message
            self.control.checkpoint(self.progress.model_copy(), dict(self.counts))
