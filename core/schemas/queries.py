"""Queries the service answers and the rows it returns (logs, KPIs, pages).

The logs page, the REST API and `toothpick export-logs` build a `LogFilter`;
the overview reads `KpiRow`s. The Store protocol answers the same types, so
both store implementations import them from here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.models import Entity, LogLevel, LogStatus, Operation, System, UtcDatetime

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a server-side paginated query, with the total matching count."""

    items: list[T]
    total: int
    offset: int
    limit: int


class LogFilter(BaseModel):
    """Every filter the logs page, the API and `toothpick export-logs` offer.

    Empty lists and None mean "no restriction". `text` matches the message,
    case-insensitively, as a plain substring (no pattern syntax reaches the database).
    """

    model_config = ConfigDict(extra="forbid")

    systems: list[System] = Field(default_factory=list)
    connection_ids: list[str] = Field(default_factory=list)
    statuses: list[LogStatus] = Field(default_factory=list)
    levels: list[LogLevel] = Field(default_factory=list)
    operations: list[Operation] = Field(default_factory=list)
    run_id: str | None = None
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None
    text: str | None = Field(default=None, max_length=200)

    @field_validator("text")
    @classmethod
    def _blank_text_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class Bucket(StrEnum):
    HOUR = "hour"
    DAY = "day"


class KpiGroup(StrEnum):
    SYSTEM = "system"
    CONNECTION = "connection"


class KpiRow(BaseModel):
    """Aggregates over `sync` log entries (one per finished run) plus error entries.

    runs/succeeded/durations/records_moved come from `operation == sync`
    entries; `errors` counts entries of any operation with `level == error`.
    `key` is the system or connection id (None when not grouped);
    `bucket_start` is None when not bucketed.
    """

    key: str | None
    bucket_start: datetime | None
    runs: int
    succeeded: int
    failed: int
    avg_duration_ms: float | None
    p95_duration_ms: float | None
    records_moved: int
    errors: int

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.runs if self.runs else None


class VolumeRow(BaseModel):
    """Records moved per entity (from `pull` and `push` entries), optionally bucketed."""

    entity: Entity
    bucket_start: datetime | None
    records: int


class CountRow(BaseModel):
    key: str | None
    count: int


class ErrorGroup(StrEnum):
    SYSTEM = "system"
    CATEGORY = "error_category"


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
