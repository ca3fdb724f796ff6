"""Test doubles for time: a clock that advances only when slept on, and records every sleep."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class FakeClock:
    """Satisfies adapters.timing.Clock; `sleeps` lists every wait asked for, in order."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)) -> None:
        self._start = start
        self._elapsed = 0.0
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return 1000.0 + self._elapsed

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._elapsed += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds


class FrozenClock(FakeClock):
    """Never advances, even on sleep: every caller sees the same `now` (for reservation tests)."""

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
