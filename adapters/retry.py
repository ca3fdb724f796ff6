"""Backoff with full jitter, Retry-After parsing, and the per-call retry budget.

Why a small explicit loop (in `adapters.http`) rather than tenacity: each
attempt's outcome is decided by the failure table (retry, wait as asked,
refresh the credentials once, stop for a spent quota, fail), the wait may come
from the vendor (Retry-After, rate-limit reset headers) and is counted
differently (rate-limit wait vs backoff), and a Retry-After beyond our cap
must end the call with a pause of the run until then (`QuotaExhaustedError`).
Tenacity can express each piece, but only through exceptions used as control
flow between custom `retry`/`wait`/`stop` callables; forty explicit lines over
`RetryBudget` read better and test with an injected clock just as well.

    >>> budget = RetryBudget(RetryPolicy(max_attempts=3), rand=lambda: 1.0)
    >>> budget.next_delay(None), budget.next_delay(None), budget.next_delay(None)
    (1.0, 2.0, None)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # attempts per call, the first included
    base_delay_s: float = 1.0  # backoff ceiling for the first retry; doubles each retry
    max_delay_s: float = 30.0  # cap of one backoff
    max_retry_after_s: float = 120.0  # a vendor asking for longer ends the call instead
    max_total_wait_s: float = 300.0  # all waits of one call together


def backoff_delay(retry: int, policy: RetryPolicy, rand: Callable[[], float]) -> float:
    """Full jitter: uniform in [0, min(max_delay, base * 2**(retry-1))] for retry 1, 2, ..."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** min(max(retry - 1, 0), 60))
    return max(0.0, min(ceiling, ceiling * rand()))


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date).

    Anything unreadable is ignored (None); it never raises. Dates in the past
    mean "now" (0.0).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.replace(".", "", 1).isdigit():
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        seconds = (when - now).total_seconds()
    except OverflowError:  # pragma: no cover - datetimes at the edges of the range
        return None
    return max(0.0, seconds)


class RetryBudget:
    """The retries left for one call: attempts and total waiting time."""

    def __init__(self, policy: RetryPolicy, *, rand: Callable[[], float] = random.random) -> None:
        self.policy = policy
        self._rand = rand
        self.attempts = 1
        self.waited_s = 0.0
        self.last_refusal: float | None = None  # a Retry-After we declined to wait for

    def next_delay(self, suggested: float | None) -> float | None:
        """The wait before the next attempt, or None when the call should give up.

        `suggested` is the vendor's own wait (Retry-After or a reset header); without
        it the wait is the jittered backoff.
        """
        if self.attempts >= self.policy.max_attempts:
            return None
        if suggested is not None and suggested > self.policy.max_retry_after_s:
            self.last_refusal = suggested
            return None
        delay = suggested
        if delay is None:
            delay = backoff_delay(self.attempts, self.policy, self._rand)
        if self.waited_s + delay > self.policy.max_total_wait_s:
            self.last_refusal = delay
            return None
        self.attempts += 1
        self.waited_s += delay
        return delay
