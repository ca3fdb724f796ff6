"""A log entry: one audited operation (the seed's IntegrationLog)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from core.clock import new_id, utcnow
from core.errors import FailureCategory
from core.models.common import Entity, Identifier, Model, System, Text4000, UtcDatetime


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class LogStatus(StrEnum):
    SUCCESS = "success"
    ERROR = "error"
    WARNING = "warning"
    SKIPPED = "skipped"
    STARTED = "started"


class Operation(StrEnum):
    SYNC = "sync"  # one per finished run: the row KPIs are computed from
    PULL = "pull"
    PUSH = "push"
    DELETE = "delete"
    RECORD = "record"  # one record failed mapping/validation, or was held
    CONFLICT = "conflict"
    TEST_CONNECTION = "test_connection"
    CONNECT = "connect"
    UPDATE_CONNECTION = "update_connection"
    DELETE_CONNECTION = "delete_connection"
    REFRESH_TOKEN = "refresh_token"
    WEBHOOK = "webhook"
    ROTATE_KEY = "rotate_key"
    IMPORT = "import"
    PURGE = "purge"
    DISCOVER = "discover"


class LogEntry(Model):
    id: Identifier = Field(default_factory=new_id)
    time: UtcDatetime = Field(default_factory=utcnow)
    organisation_id: Identifier
    connection_id: Identifier | None = None
    system: System | None = None
    run_id: Identifier | None = None
    entity: Entity | None = None
    operation: Operation
    level: LogLevel = LogLevel.INFO
    status: LogStatus = LogStatus.SUCCESS
    message: Text4000
    duration_ms: float | None = Field(default=None, ge=0)
    records_processed: int = Field(default=0, ge=0)
    records_created: int = Field(default=0, ge=0)
    records_updated: int = Field(default=0, ge=0)
    records_failed: int = Field(default=0, ge=0)
    http_status: int | None = Field(default=None, ge=100, le=599)
    error_category: FailureCategory | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
