"""A proactive call budget per vendor, corrected by the vendor's own headers.

Each `RateLimit` is "at most `calls` in any `per_s` seconds", enforced as a
sliding window of send times (a log of at most `calls` timestamps). We chose a
sliding window over a token bucket on purpose: a bucket that refills at
calls/per_s with a burst of `calls` admits up to twice the limit inside one
rolling window, which is exactly what HubSpot's "100 per 10 s rolling" refuses.
A sliding window that holds stays under any fixed or rolling window the vendor
counts in.

    >>> limiter = RateLimiter([RateLimit(100, 10.0)], clock=SYSTEM_CLOCK)  # HubSpot
    >>> waited = limiter.acquire()  # seconds slept to stay under the limit

The vendor's headers correct our picture (`observe`): a lower "remaining" than
we believe adds phantom calls to the window; "remaining 0" pauses everyone until
the reset time the vendor gave, or, with none, for one call's share of the window
(`exhausted_for`). `slot()` bounds concurrent calls (Salesforce's
concurrent long-running request limit, Zoho's concurrency). Thread-safe: a
caller reserves its send time under the lock and sleeps outside it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from adapters.timing import SYSTEM_CLOCK, Clock


@dataclass(frozen=True)
class RateLimit:
    calls: int
    per_s: float

    def __post_init__(self) -> None:
        if self.calls < 1 or self.per_s <= 0:
            raise ValueError("a rate limit needs calls >= 1 and per_s > 0")


@dataclass(frozen=True)
class RateObservation:
    """What one response said about the budget left."""

    remaining: int | None = None
    reset_after_s: float | None = None  # seconds until the window resets


@dataclass(frozen=True)
class RateHeaders:
    """Names of a vendor's rate-limit headers (case-insensitive).

    Pipedrive: RateHeaders("x-ratelimit-remaining", "x-ratelimit-reset").
    HubSpot: RateHeaders("X-HubSpot-RateLimit-Remaining",
                         "X-HubSpot-RateLimit-Interval-Milliseconds", reset_scale=0.001).
    """

    remaining: str
    reset: str | None = None
    reset_scale: float = 1.0  # multiply the reset value to get seconds

    def read(self, headers: Mapping[str, str]) -> RateObservation | None:
        remaining = _number(headers.get(self.remaining))
        reset = _number(headers.get(self.reset)) if self.reset else None
        if remaining is None and reset is None:
            return None
        return RateObservation(
            remaining=int(remaining) if remaining is not None else None,
            reset_after_s=reset * self.reset_scale if reset is not None else None,
        )


RateReader = Callable[[Mapping[str, str]], RateObservation | None]


def exhausted_for(observation: RateObservation, limits: Sequence[RateLimit]) -> float:
    """How long "none left" holds every caller on the account.

    A reset time the vendor gave decides. Without one (HubSpot names only its window's
    length), the vendor counts a rolling window that ours mirrors: its last slot went to
    a call our window already let go of (ours counts from sending, the vendor from
    arrival), and a slot frees as each old call ages out. So one call's share of the
    window is paused, not the whole window, which stopped every run on the account for
    10 s each time the account ran at its limit (bench/throughput_bench.py: HubSpot at
    two thirds of its rate). A vendor that still refuses answers 429 with its own wait."""
    if observation.reset_after_s is not None:
        return observation.reset_after_s
    return max((limit.per_s / limit.calls for limit in limits), default=1.0)


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and 0 <= number < 1e9 else None


class _Window:
    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.sent: deque[float] = deque()

    def forget_before(self, now: float) -> None:
        while self.sent and self.sent[0] <= now - self.limit.per_s:
            self.sent.popleft()

    def earliest(self, now: float) -> float:
        if len(self.sent) < self.limit.calls:
            return now
        return self.sent[-self.limit.calls] + self.limit.per_s


class RateLimiter:
    def __init__(
        self,
        limits: Sequence[RateLimit] = (),
        *,
        clock: Clock = SYSTEM_CLOCK,
        max_concurrent: int | None = None,
    ) -> None:
        self._windows = [_Window(limit) for limit in limits]
        self._clock = clock
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._slots = threading.BoundedSemaphore(max_concurrent) if max_concurrent else None

    def acquire(self) -> float:
        """Wait until one more call fits every window; returns the seconds waited."""
        with self._lock:
            now = self._clock.monotonic()
            at = max(now, self._paused_until)
            for window in self._windows:
                window.forget_before(now)
                at = max(at, window.earliest(now))
            for window in self._windows:
                window.sent.append(at)  # reserve: later callers queue behind this one
        wait = at - now
        if wait > 0:
            self._clock.sleep(wait)
        return max(wait, 0.0)

    def observe(self, observation: RateObservation) -> None:
        """Lower our budget to what the vendor says is left."""
        with self._lock:
            now = self._clock.monotonic()
            if observation.remaining is not None and observation.remaining <= 0:
                limits = [w.limit for w in self._windows]
                self._paused_until = max(
                    self._paused_until, now + exhausted_for(observation, limits)
                )
                return
            if observation.remaining is None:
                return
            for window in self._windows:
                window.forget_before(now)
                free = window.limit.calls - len(window.sent)
                for _ in range(max(0, free - observation.remaining)):
                    window.sent.append(now)  # phantom calls the vendor counted and we did not
                ordered = sorted(window.sent)
                window.sent = deque(ordered)

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (a 429 told us to)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock.monotonic() + seconds)

    @contextmanager
    def slot(self) -> Iterator[float]:
        """Hold one of the concurrent-call slots; yields the seconds spent waiting for it."""
        if self._slots is None:
            yield 0.0
            return
        start = self._clock.monotonic()
        self._slots.acquire()
        try:
            yield max(0.0, self._clock.monotonic() - start)
        finally:
            self._slots.release()
