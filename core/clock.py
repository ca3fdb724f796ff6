"""Time and identifiers, in one place so every layer agrees on UTC and id shape."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware now; naive datetimes never cross a layer boundary."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are read as UTC (what vendors and old logs mostly mean)."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def new_id() -> str:
    """A 26-hex-character id that sorts by creation time (ms) across processes.

    Time-ordered ids keep SQLite and MongoDB indexes append-mostly and make
    "newest first" a plain sort on the primary key.
    """
    millis = time.time_ns() // 1_000_000
    return f"{millis:012x}{os.urandom(7).hex()}"
