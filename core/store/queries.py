"""Store-side types of the Store protocol (the engine's writes and the workers' beats).

The query and row types that the service hands out (LogFilter, KpiRow, Page, ...)
live in core.schemas; they are re-exported here for the store implementations.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from core.errors import FailureCategory
from core.models import Entity, EntityCounts, RunProgress, SyncState
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


# A page's sync state, saved with its records: given as a function, it is called with the
# write's result inside the transaction (core.sync.resume: the checkpoint keeps the counts).
PageState = SyncState | Callable[[UpsertResult], SyncState]


def page_state(state: PageState | None, result: UpsertResult) -> SyncState | None:
    """The sync state to save with a write whose result is `result`."""
    return state(result) if callable(state) else state


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
    "PageState",
    "RunUpdate",
    "UpsertResult",
    "VolumeRow",
    "page_state",
]
