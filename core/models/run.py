"""A sync run: one execution of a sync, tracked in the store from queued to done.

The store is the source of truth for runs; workers claim queued runs
atomically, beat a heartbeat while working, and a run whose heartbeat stopped
is claimed again and resumes from its checkpoint.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from core.clock import new_id, utcnow
from core.errors import FailureCategory
from core.models.common import Entity, Identifier, Model, System, Text500, Text4000, UtcDatetime
from core.models.connection import ConflictPolicy, Direction


class RunTrigger(StrEnum):
    MANUAL = "manual"
    SCHEDULED = "scheduled"
    WEBHOOK = "webhook"
    RETRY = "retry"
    API = "api"


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"  # a vendor quota ran out; resumes by itself after `resume_after`
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_active(self) -> bool:
        """Active runs block another run of the same connection."""
        return self in (RunState.QUEUED, RunState.RUNNING, RunState.PAUSED)

    @property
    def is_finished(self) -> bool:
        return not self.is_active


class SyncOptions(Model):
    """The seed's "advanced options" of a manual sync; None means the connection's own setting."""

    entities: list[Entity] | None = None
    direction: Direction | None = None
    full: bool = False
    dry_run: bool = False
    conflict_policy: ConflictPolicy | None = None
    modified_since: UtcDatetime | None = None
    # A reconciliation instead of a sync: the vendor's counts against the hub's, narrowed
    # to missing, extra and stale ids and repaired by a targeted re-read (core.sync.reconcile).
    reconcile: bool = False
    # A field mapping changed (core.services.backfill): the entities' stored records are
    # brought to the new mapping (core.sync.backfill_pull): `backfill_fields`, per entity,
    # the canonical fields whose mapping changed (cleared in the store where no longer
    # pulled, read alone where pulled); none listed: whole records are re-read.
    backfill: bool = False
    backfill_fields: dict[Entity, list[Text500]] = Field(default_factory=dict)


class EntityCounts(Model):
    pages: int = 0
    api_calls: int = 0
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    pushed: int = 0
    failed: int = 0
    conflicts: int = 0
    retries: int = 0
    rate_limit_wait_s: float = 0.0
    # Reconciliation (after a full sync, or a reconcile run); None: not counted this run.
    vendor_count: int | None = None  # live records the vendor holds
    held_count: int | None = None  # live records the hub holds, after any repair
    missing: int = 0  # the vendor holds them, the hub did not
    extra: int = 0  # the hub held them live, the vendor no longer does
    stale: int = 0  # the hub held an older version
    repaired: int = 0
    unexplained: int = 0  # still differing after the repair, not known record issues
    # api_calls by kind (adapters.budget.CallKind): what the vendor's allowance was spent on
    read_calls: int = 0
    write_calls: int = 0
    auth_calls: int = 0
    metadata_calls: int = 0

    def add(self, other: EntityCounts) -> EntityCounts:
        def plus(a: Any, b: Any) -> Any:
            return b if a is None else a if b is None else a + b

        return EntityCounts(
            **{
                name: plus(getattr(self, name), getattr(other, name))
                for name in type(self).model_fields
            }
        )

    @property
    def complete(self) -> bool | None:
        """Whether the hub holds exactly the vendor's live records (None: not counted)."""
        if self.vendor_count is None or self.held_count is None:
            return None
        return self.vendor_count == self.held_count and not self.unexplained

    def completeness(self) -> str | None:
        """ "complete: 120,431 of 120,431", or what differed and what was repaired."""
        if self.vendor_count is None or self.held_count is None:
            return None
        found = self.missing + self.extra + self.stale
        what = (
            f"{self.missing:,} missing, {self.extra:,} extra, {self.stale:,} stale; "
            f"{self.repaired:,} repaired; "
            if found
            else ""
        )
        if self.complete:
            return f"{what}complete: {self.held_count:,} of {self.vendor_count:,}"
        return (
            f"{what}incomplete: the vendor holds {self.vendor_count:,}, "
            f"the hub {self.held_count:,} ({self.unexplained:,} unexplained)"
        )


class RunProgress(Model):
    current_entity: Entity | None = None
    records: int = 0
    pages: int = 0
    rate_limit_wait_s: float = 0.0
    message: Text500 | None = None
    # The current entity's place in the run and, where the vendor counted its read, the
    # read's end: what a percentage and a time left are computed from (core.models.eta).
    entity_number: int = 0  # 1-based among the run's entities; 0 before the first
    entity_count: int = 0
    entity_read: int = 0
    entity_expected: int | None = None  # records the read yields in all, as the vendor counts
    entity_started_at: UtcDatetime | None = None
    # What the run waits on at the vendor, in words (a 429 and its Retry-After, slow
    # answers), None while answers come at their usual pace.
    waiting: Text500 | None = None
    # Who reported this progress, and when: set by the worker's heartbeat, cleared when
    # it hands the run back. A claimed run that still names a worker was taken over.
    worker_id: str | None = None
    reported_at: UtcDatetime | None = None


class FieldChange(Model):
    """One field of a planned change: its value now and the value a real run would write
    (on ToothPick's side for a pull, on the vendor's for a push)."""

    field: str
    current: Any = None
    new: Any = None


class PlannedChange(Model):
    """One line of a dry run's report: what a real run would have done."""

    entity: Entity
    external_id: str
    action: str  # create | update | delete | push | conflict
    fields: list[str] = Field(default_factory=list)
    detail: str | None = None
    direction: str = "pull"  # pull (vendor -> ToothPick) | push (ToothPick -> vendor)
    changes: list[FieldChange] = Field(default_factory=list)
    conflict: bool = False  # both sides changed this record
    policy: str | None = None  # what the conflict policy would do, in words


class SyncRun(Model):
    id: Identifier = Field(default_factory=new_id)
    organisation_id: Identifier
    connection_id: Identifier
    system: System
    trigger: RunTrigger = RunTrigger.MANUAL
    options: SyncOptions = Field(default_factory=SyncOptions)
    state: RunState = RunState.QUEUED
    created_at: UtcDatetime = Field(default_factory=utcnow)
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    heartbeat_at: UtcDatetime | None = None
    worker_id: str | None = None
    attempt: int = 0
    retries: int = 0  # failed attempts retried with backoff so far (settings.run_max_retries)
    resume_after: UtcDatetime | None = None
    cancel_requested: bool = False
    progress: RunProgress = Field(default_factory=RunProgress)
    counts: dict[Entity, EntityCounts] = Field(default_factory=dict)
    planned: list[PlannedChange] = Field(default_factory=list)
    error: Text4000 | None = None
    error_category: FailureCategory | None = None

    @property
    def totals(self) -> EntityCounts:
        total = EntityCounts()
        for counts in self.counts.values():
            total = total.add(counts)
        return total

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or utcnow()
        return (end - self.started_at).total_seconds()
