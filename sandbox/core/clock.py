"""The sandbox's time: the machine's by default, or a test's.

Vendors' daily allowances reset at fixed instants (midnight UTC, the portal's
midnight, 24 h after the day's first call), so what a client meets depends on
the hour: at 23:58 a spent allowance comes back in two minutes, at 00:01 in a
day. A test that means to meet both must not depend on when it runs, so every
time the simulators read (rate budgets, token expiry, record stamps, webhook
timestamps) comes from here, and the control API can set it:

    >>> clock = SandboxClock()
    >>> clock.set(1_798_761_540_000)           # 2026-12-31 23:59:00 UTC, frozen
    >>> clock.advance(90.0); clock.now_ms()    # a test's client "slept" 90 s
    1798761630000
    >>> clock.release(); clock.now_ms() > 1_798_761_630_000
    True

One clock per process, not per server: the simulators read time from module
functions (token stores, record stamps) that a server instance does not reach,
and a process runs one simulated world at a time (tests release the clock when
they are done with it).
"""

from __future__ import annotations

import threading
import time


class SandboxClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_ms: int | None = None
        self._offset_ms = 0

    def now_ms(self) -> int:
        frozen = self._frozen_ms
        if frozen is not None:
            return frozen
        return time.time_ns() // 1_000_000 + self._offset_ms

    def set(self, at_ms: int, *, frozen: bool = True) -> None:
        """Move to `at_ms` (epoch milliseconds); frozen, it stays there until advanced."""
        with self._lock:
            if frozen:
                self._frozen_ms, self._offset_ms = at_ms, 0
            else:
                self._frozen_ms, self._offset_ms = None, at_ms - time.time_ns() // 1_000_000

    def advance(self, seconds: float) -> None:
        """Move forward (a frozen clock stays frozen at the new instant)."""
        step = max(0, round(seconds * 1000))
        with self._lock:
            if self._frozen_ms is not None:
                self._frozen_ms += step
            else:
                self._offset_ms += step

    def release(self) -> None:
        """Back to the machine's time."""
        with self._lock:
            self._frozen_ms, self._offset_ms = None, 0

    def describe(self) -> dict[str, object]:
        return {"now_ms": self.now_ms(), "frozen": self._frozen_ms is not None}


CLOCK = SandboxClock()


def now_ms() -> int:
    """The sandbox's now, in epoch milliseconds."""
    return CLOCK.now_ms()
