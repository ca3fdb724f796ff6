"""What the service takes and gives (the dashboard, the REST API and the CLI share them).

Layered per resource as in FastAPI's template: `...Create` and `...Update` come
in, `...Public` goes out. A `ConnectionPublic` never carries the sealed
secret: only the names of the secret fields that are set.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from core.models import (
    ConfigValue,
    ConflictPolicy,
    Connection,
    ConnectionStatus,
    Direction,
    Entity,
    FieldOverride,
    Schedule,
    SyncRun,
    System,
)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConnectionCreate(_Input):
    system: System
    name: str = Field(min_length=1, max_length=100)
    # The system's form values: non-secret and secret fields together, as typed.
    fields: dict[str, Any] = Field(default_factory=dict)
    # The chosen way in when the system offers several (SystemInfo.sign_in names).
    sign_in: str | None = None
    entities: list[Entity] = Field(default_factory=list)
    direction: Direction = Direction.PULL
    conflict_policy: ConflictPolicy = ConflictPolicy.TIMESTAMP
    approve_deletes: bool = False
    schedule: Schedule = Field(default_factory=Schedule)
    field_overrides: list[FieldOverride] = Field(default_factory=list)


class ConnectionUpdate(_Input):
    """Only what is given changes. A blank or missing secret field keeps the stored one."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    fields: dict[str, Any] | None = None
    entities: list[Entity] | None = None
    direction: Direction | None = None
    conflict_policy: ConflictPolicy | None = None
    approve_deletes: bool | None = None
    schedule: Schedule | None = None
    field_overrides: list[FieldOverride] | None = None


class ConnectionPublic(BaseModel):
    id: str
    organisation_id: str
    system: System
    name: str
    config: dict[str, ConfigValue]
    secret_fields: list[str]
    status: ConnectionStatus
    status_detail: str | None
    entities: list[Entity]
    direction: Direction
    conflict_policy: ConflictPolicy
    approve_deletes: bool
    schedule: Schedule
    field_overrides: list[FieldOverride]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_connection(cls, connection: Connection, secret_fields: list[str]) -> ConnectionPublic:
        data = connection.model_dump(exclude={"sealed_secret"})
        return cls(**data, secret_fields=sorted(secret_fields))


class Health(StrEnum):
    HEALTHY = "healthy"
    SYNCING = "syncing"
    WARNING = "warning"
    FAILING = "failing"
    NEEDS_RECONNECT = "needs_reconnect"
    DISABLED = "disabled"
    NEVER_SYNCED = "never_synced"


class ConnectionStatusView(BaseModel):
    """One status card: everything an analyst needs to know about a connection at a glance."""

    connection: ConnectionPublic
    health: Health
    health_reason: str
    last_run: SyncRun | None
    active_run: SyncRun | None
    last_success_at: datetime | None
    next_sync_at: datetime | None
    records_held: dict[Entity, int]
    last_error: str | None

    @property
    def records_total(self) -> int:
        return sum(self.records_held.values())


class EntityState(BaseModel):
    """One entity of a connection: what ToothPick holds and where the next sync resumes."""

    entity: Entity
    records: int
    cursor: str | None
    last_full_sync_at: datetime | None
    updated_at: datetime | None


class ConnectionDetail(BaseModel):
    """The connection page: its status card, its entities and its open conflicts count."""

    status: ConnectionStatusView
    entities: list[EntityState]
    open_conflicts: int


class CheckResult(BaseModel):
    ok: bool
    message: str
    details: dict[str, str] = Field(default_factory=dict)
    duration_ms: float


class LineProblem(BaseModel):
    line: int
    message: str


class ImportReport(BaseModel):
    imported: int = 0
    already_present: int = 0
    problems: list[LineProblem] = Field(default_factory=list)


class RotationReport(BaseModel):
    resealed: int = 0
    already_current: int = 0
    failed: list[str] = Field(default_factory=list)  # messages naming connections


class SecretInput(BaseModel):
    """Internal: secret form values once split from the config ones."""

    values: dict[str, SecretStr]


class DemoReport(BaseModel):
    created: list[str] = Field(default_factory=list)
    already_present: list[str] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict)  # name -> why, in words
    runs: int = 0
    log_entries: int = 0
    conflicts: int = 0
    alerts: int = 0
    queued: int = 0
