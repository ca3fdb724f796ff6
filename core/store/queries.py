"""Store-side types of the Store protocol (the engine's writes and the workers' beats).

The query and row types that the service hands out (LogFilter, KpiRow, Page, ...)
live in core.schemas; they are re-exported here for the store implementations.
"""

from __future__ import annotations

from pydantic import BaseModel

from core.errors import FailureCategory
from core.models import Entity, EntityCounts, RunProgress
from core.schemas import (
    Bucket,
    CountRow,
    ErrorGroup,
    HeartbeatAck,
    KpiGroup,
    KpiRow,
    LogFilter,
    Page,
    VolumeRow,
)


class UpsertResult(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    restored: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted + self.restored


class RunUpdate(BaseModel):
    progress: RunProgress
    counts: dict[Entity, EntityCounts]


__all__ = [
    "Bucket",
    "CountRow",
    "ErrorGroup",
    "FailureCategory",
    "HeartbeatAck",
    "KpiGroup",
    "KpiRow",
    "LogFilter",
    "Page",
    "RunUpdate",
    "UpsertResult",
    "VolumeRow",
]
