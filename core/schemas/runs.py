"""What the worker and scheduler processes exchange with the service about runs.

A worker claims a run (`service.syncs.claim_next_run`), beats its heartbeat
(`HeartbeatAck` says whether it still owns the run and whether someone asked
to cancel it), executes it and hands back a `RunOutcome`. The scheduler reads
`ScheduledConnection`s: what to queue and when, with no store in sight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel

from core.errors import FailureCategory
from core.models import Entity, EntityCounts, PlannedChange, RunState, SyncRun


@dataclass
class RunOutcome:
    state: RunState
    counts: dict[Entity, EntityCounts]
    planned: list[PlannedChange] = field(default_factory=list)
    error: str | None = None
    error_category: FailureCategory | None = None
    resume_after: datetime | None = None
    needs_reconnect: bool = False


class RunUsage(BaseModel):
    """A run's API calls against its vendor's budget (`toothpick runs`, run details)."""

    api_calls: int
    by_kind: dict[str, int]  # read, write, auth, metadata
    records: int  # read + pushed
    calls_per_1000_records: float | None  # None: no record moved
    daily_allowance: int | None  # the account's, None where the vendor publishes none
    share_of_allowance: float | None  # api_calls / daily_allowance

    @classmethod
    def of(cls, run: SyncRun, allowance: int | None) -> RunUsage:
        totals = run.totals
        records = totals.read + totals.pushed
        kinds = ("read", "write", "auth", "metadata")
        return cls(
            api_calls=totals.api_calls,
            by_kind={kind: getattr(totals, f"{kind}_calls") for kind in kinds},
            records=records,
            calls_per_1000_records=1000 * totals.api_calls / records if records else None,
            daily_allowance=allowance,
            share_of_allowance=totals.api_calls / allowance if allowance else None,
        )


class HeartbeatAck(BaseModel):
    """`owned` False: another worker took the run over, stop at once without writing."""

    owned: bool
    cancel_requested: bool


class ScheduledConnection(BaseModel):
    """One connection the scheduler keeps a job for (active, schedule enabled).

    `cron` set: fire on it. Otherwise every `interval_hours` (the connection's
    own or the settings' default), first at `next_sync_at`, computed from the
    connection's latest run so that a restart neither bursts nor skips a sync.
    """

    organisation_id: str
    connection_id: str
    name: str
    cron: str | None
    interval_hours: float
    next_sync_at: datetime | None
    reconcile_hours: float = 0.0  # 0: no scheduled reconciliation
