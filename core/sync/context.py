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
from core.page_budget import PageBudget
from core.store.base import Store
from core.store_turns import StoreTurns
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
    page_budget: PageBudget | None = None
    # Pages stored in turns, the smallest first, by every run of the process (None: at once).
    store_turns: StoreTurns | None = None
    started: datetime = field(default_factory=utcnow)
    counts: dict[Entity, EntityCounts] = field(default_factory=dict)
    planned: list[PlannedChange] = field(default_factory=list)
    progress: RunProgress = field(default_factory=RunProgress)
    # A dry run stores nothing, so its push would meet the records its pull already settled
    # as still changed on both sides and count them twice: the pull notes here what a real
    # run would leave pending for each (an empty dict: nothing left to push).
    settled: dict[tuple[Entity, str], dict[str, Any]] = field(default_factory=dict)
    _stats_mark: CallStats = field(default_factory=CallStats)  # calls made for no entity
    _marks: dict[Entity, CallStats] = field(default_factory=dict)  # each entity's own
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
        """Move the calls made for this entity since its last mark onto its counts (each
        thread names the entity it reads for: adapters.budget.counting_for), and with
        them any calls made for no entity since then, so the run's totals stay exact."""
        with self._lock:
            self._absorb(entity)

    def _absorb(self, entity: Entity) -> None:
        now = self.adapter.stats.snapshot()
        own, rest = now.share(entity.value), now.share(None)
        counts = self.entity_counts(entity)
        since_mark = own.minus(self._marks.get(entity, CallStats()))
        for spent in (since_mark, rest.minus(self._stats_mark)):
            counts.api_calls += spent.api_calls
            counts.retries += spent.retries
            counts.rate_limit_wait_s += spent.rate_limit_wait_s
            for kind, calls in spent.by_kind.items():
                field_name = f"{kind}_calls"
                setattr(counts, field_name, getattr(counts, field_name, 0) + calls)
        self.progress.rate_limit_wait_s = sum(c.rate_limit_wait_s for c in self.counts.values())
        self._marks[entity], self._stats_mark = own, rest

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
