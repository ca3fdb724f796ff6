"""Circuit breaker: stop calling a vendor that keeps failing to answer.

After `threshold` connectivity failures in a row (timeouts, dropped or refused
connections, 5xx) the circuit opens: calls fail at once with CircuitOpenError
for `cooldown_s`. Then one probe call is let through (half-open); its success
closes the circuit, its failure opens it for another cool-down. Any answer
that is not a connectivity failure (a 2xx, a 404, a 429) counts as success:
the vendor is reachable.

    >>> breaker = CircuitBreaker("HubSpot", threshold=5, cooldown_s=60)
    >>> breaker.before_call()  # raises CircuitOpenError while open
    >>> breaker.record_failure("the vendor did not answer in time")
"""

from __future__ import annotations

import threading
from datetime import timedelta
from enum import StrEnum

from adapters.timing import SYSTEM_CLOCK, Clock
from core.errors import CircuitOpenError


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        vendor: str,
        *,
        threshold: int = 5,
        cooldown_s: float = 60.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.vendor = vendor
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._last_failure = ""
        self._probing = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            if self._state is CircuitState.OPEN and self._cooled_down():
                return CircuitState.HALF_OPEN
            return self._state

    def before_call(self) -> None:
        """Let the call through, or raise CircuitOpenError while the circuit is open."""
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return
            if self._state is CircuitState.OPEN and self._cooled_down():
                self._state = CircuitState.HALF_OPEN
                self._probing = False
            if self._state is CircuitState.HALF_OPEN and not self._probing:
                self._probing = True  # exactly one probe at a time
                return
            raise CircuitOpenError(self._refusal())

    def record_success(self) -> None:
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._probing = False

    def record_failure(self, what: str) -> None:
        """Count one connectivity failure; `what` says what happened, in words."""
        with self._lock:
            self._failures += 1
            self._last_failure = what
            if self._state is CircuitState.HALF_OPEN or self._failures >= self.threshold:
                self._state = CircuitState.OPEN
                self._opened_at = self._clock.monotonic()
                self._probing = False

    def _cooled_down(self) -> bool:
        return self._clock.monotonic() - self._opened_at >= self.cooldown_s

    def _refusal(self) -> str:
        if self._state is CircuitState.HALF_OPEN:
            return (
                f"{self.vendor} failed to answer {self._failures} times in a row "
                f"(last: {self._last_failure}); a test call is under way, try again shortly"
            )
        left = max(0.0, self.cooldown_s - (self._clock.monotonic() - self._opened_at))
        until = self._clock.now() + timedelta(seconds=left)
        return (
            f"{self.vendor} failed to answer {self._failures} times in a row "
            f"(last: {self._last_failure}); calls to it are paused for {left:.0f} s, "
            f"until {until:%H:%M:%S} UTC"
        )
