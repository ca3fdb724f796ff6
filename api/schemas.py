"""The API's own request and response models, separate from the store's records.

Inputs forbid unknown fields and bound their sizes; outputs name exactly what a
client may see (no organisation internals, no worker bookkeeping, no secrets).
Lists come in the template's envelope `{data, count}`, `count` being the total.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from core.errors import FailureCategory
from core.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    Conflict,
    ConflictKind,
    ConflictPolicy,
    ConflictStatus,
    Direction,
    Entity,
    EntityCounts,
    ExternalId,
    Identifier,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    Record,
    Resolution,
    RunProgress,
    RunState,
    RunTrigger,
    SyncOptions,
    SyncRun,
    System,
    UtcDatetime,
)

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListOf(BaseModel, Generic[T]):
    data: list[T]
    count: int


def _pick(model: BaseModel, target: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in target.model_fields if hasattr(model, name)}


# -- connections ----------------------------------------------------------------------


class CredentialsTest(Input):
    system: System
    fields: dict[str, Any] = Field(default_factory=dict, max_length=50)


# -- runs --------------------------------------------------------------------------------


class SyncRequest(Input):
    """Every option the dashboard's "sync now" has; None keeps the connection's setting."""

    connection_id: Identifier
    entities: list[Entity] | None = Field(default=None, max_length=len(Entity))
    direction: Direction | None = None
    full: bool = False
    dry_run: bool = False
    conflict_policy: ConflictPolicy | None = None
    modified_since: UtcDatetime | None = None
    reconcile: bool = False  # compare with the vendor's counts and repair, instead of a sync

    def options(self) -> SyncOptions:
        return SyncOptions(**self.model_dump(exclude={"connection_id"}))


class SyncAccepted(BaseModel):
    run_id: str
    state: RunState
    url: str


class RunPublic(BaseModel):
    id: str
    connection_id: str
    system: System
    trigger: RunTrigger
    state: RunState
    options: SyncOptions
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    resume_after: datetime | None
    cancel_requested: bool
    progress: RunProgress
    counts: dict[Entity, EntityCounts]
    error: str | None
    error_category: FailureCategory | None

    @classmethod
    def of(cls, run: SyncRun) -> RunPublic:
        return cls(**_pick(run, cls))


# -- logs ----------------------------------------------------------------------------------


class LogQuery(Input):
    """The dashboard's log filters, as query parameters; every value is matched as a value."""

    system: list[System] = Field(default_factory=list, max_length=len(System))
    connection_id: list[Identifier] = Field(default_factory=list, max_length=50)
    status: list[LogStatus] = Field(default_factory=list, max_length=len(LogStatus))
    level: list[LogLevel] = Field(default_factory=list, max_length=len(LogLevel))
    operation: list[Operation] = Field(default_factory=list, max_length=len(Operation))
    run_id: Identifier | None = None
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None
    text: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=200)
    format: Literal["json", "csv"] | None = None


class LogEntryPublic(BaseModel):
    id: str
    time: datetime
    connection_id: str | None
    system: System | None
    run_id: str | None
    entity: Entity | None
    operation: Operation
    level: LogLevel
    status: LogStatus
    message: str
    duration_ms: float | None
    records_processed: int
    records_created: int
    records_updated: int
    records_failed: int
    http_status: int | None
    error_category: FailureCategory | None
    metadata: dict[str, Any]

    @classmethod
    def of(cls, entry: LogEntry) -> LogEntryPublic:
        return cls(**_pick(entry, cls))


class LogPage(ListOf[LogEntryPublic]):
    """One page, `count` matching in all; pass `next_cursor` back as `cursor` for the next."""

    next_cursor: str | None


# -- status ---------------------------------------------------------------------------------


class PeriodKpis(BaseModel):
    runs: int = 0
    succeeded: int = 0
    failed: int = 0
    success_rate: float | None = None
    avg_duration_ms: float | None = None
    p95_duration_ms: float | None = None
    records_moved: int = 0
    errors: int = 0


class ConnectionStatusPublic(BaseModel):
    connection_id: str
    name: str
    system: System
    health: str
    health_reason: str
    last_sync_at: datetime | None
    last_success_at: datetime | None
    next_sync_at: datetime | None
    active_run_id: str | None
    records_held: dict[Entity, int]
    last_error: str | None
    kpis: PeriodKpis
    open_alerts: int


# -- review -------------------------------------------------------------------------------------


class ConflictPublic(BaseModel):
    id: str
    connection_id: str
    system: System
    entity: Entity
    external_id: str
    kind: ConflictKind
    deleted_in_toothpick: bool = Field(
        description="A `delete` conflict: true when ToothPick deleted the record and the "
        "vendor edited it since (`local` is null), false when the vendor deleted it"
    )
    local: dict[str, Any] | None
    remote: dict[str, Any] | None
    differing_fields: list[str]
    detected_at: datetime
    status: ConflictStatus
    resolution: Resolution | None
    resolved_by: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, conflict: Conflict) -> ConflictPublic:
        return cls(**_pick(conflict, cls))


class ConflictResolve(Input):
    """Whole (`local`, `remote`, delete approval) or field by field (`merged` + `fields`)."""

    resolution: Resolution
    fields: dict[str, Literal["local", "remote"]] | None = Field(default=None, max_length=200)


class AlertPublic(BaseModel):
    id: str
    connection_id: str | None
    system: System | None
    kind: AlertKind
    severity: AlertSeverity
    message: str
    created_at: datetime
    last_seen_at: datetime
    count: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def of(cls, alert: Alert) -> AlertPublic:
        return cls(**_pick(alert, cls))


class RecordPublic(BaseModel):
    """`local_change` is what the next push sends; `local_delete` says the push deletes
    the record at the vendor instead (deleted in ToothPick, `deleted` true already)."""

    external_id: str
    entity: Entity
    data: dict[str, Any]
    source_updated_at: datetime | None
    synced_at: datetime
    deleted: bool
    local_delete: bool = Field(
        description="Deleted in ToothPick; the next push deletes it at the vendor."
    )
    local_change: dict[str, Any] | None
    local_changed_at: datetime | None
    version: int

    @classmethod
    def of(cls, record: Record) -> RecordPublic:
        return cls(**_pick(record, cls))


class RecordEdit(Input):
    external_id: ExternalId
    fields: dict[str, Any] = Field(min_length=1, max_length=200)
