"""The clock every shared adapter piece reads, so that tests can replace time.

Retries, the rate limiter and the circuit breaker all wait and measure; they
take a `Clock` instead of calling `time` directly so that a test can inject a
fake one that advances instantly and records every sleep (tests never assert on
wall-clock timings).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Protocol

from core.clock import utcnow


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for intervals)."""
        ...

    def now(self) -> datetime:
        """Timezone-aware UTC wall time (for HTTP dates and quota reset times)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return utcnow()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
