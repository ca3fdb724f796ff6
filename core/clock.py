"""Time and identifiers, in one place so every layer agrees on UTC and id shape."""

from __future__ import annotations

import itertools
import os
import threading
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


class _IdSource:
    """Per-process random prefix plus a counter: unique across processes and machines
    (24 random bits per process), ordered within a millisecond, and cheap — one
    `os.urandom` per process instead of one per id (records and log entries are
    created by the hundred thousand in a sync)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = -1
        self._prefix = ""
        self._counter = itertools.count()

    def next(self) -> str:
        millis = time.time_ns() // 1_000_000
        with self._lock:
            if self._pid != os.getpid():  # a forked child must not reuse its parent's prefix
                self._pid = os.getpid()
                self._prefix = os.urandom(3).hex()
                self._counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
            count = next(self._counter) & 0xFFFFFFFF
        return f"{millis:012x}{self._prefix}{count:08x}"


_ids = _IdSource()


def new_id() -> str:
    """A 26-hex-character id that sorts by creation time (ms) across processes.

    Time-ordered ids keep SQLite and MongoDB indexes append-mostly and make
    "newest first" a plain sort on the primary key.
    """
    return _ids.next()
