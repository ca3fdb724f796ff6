"""The adapters' limiter and breaker, with their state in a BudgetBackend.

`SharedRateLimiter` is an `adapters.ratelimit.RateLimiter` to the HTTP layer
(acquire, observe, pause, slot), but its window is pyrate-limiter's bucket in
Redis or the budget file, so every run and worker on one vendor account queues
behind one sliding window, and a pause one of them was told to take (a 429, a
"remaining 0") holds them all. `slot()` (concurrent calls) stays per process.

`SharedCircuitBreaker` keeps the breaker's rules (adapters.circuit) and loads
and saves its state around each step, so a circuit one run opened is open for
the next run and for other workers. Two workers failing at the same moment may
each count the failure once: the breaker opens one failure late, never never.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from pyrate_limiter import Limiter, Rate

from adapters.circuit import CircuitBreaker, CircuitState
from adapters.ratelimit import RateLimit, RateLimiter, RateObservation, exhausted_for
from adapters.timing import Clock
from core.budgets.backend import BudgetBackend

BREAKER_TTL_S = 7 * 24 * 3600


def rates(limits: Sequence[RateLimit]) -> list[Rate]:
    """The vendor's windows, each widened by 5 % (at least 100 ms): a call reaches the vendor
    some milliseconds after we send it, and two calls sent exactly one window apart must
    not arrive closer (seen with a loaded machine: one 429 in a few hundred calls)."""
    return [
        Rate(limit.calls, int(limit.per_s * 1000 + max(100, limit.per_s * 50))) for limit in limits
    ]


def bucket_name(account: str, limits: Sequence[RateLimit]) -> str:
    """One bucket per account and set of limits (HubSpot's search budget is its own)."""
    shape = "+".join(f"{limit.calls}per{limit.per_s:g}s" for limit in limits)
    return f"{account}:{shape}"


class SharedRateLimiter(RateLimiter):
    def __init__(
        self,
        *,
        account: str,
        limits: Sequence[RateLimit],
        limiter: Limiter | None,
        backend: BudgetBackend,
        clock: Clock,
        max_concurrent: int | None = None,
    ) -> None:
        super().__init__((), clock=clock, max_concurrent=max_concurrent)
        self.account = account
        self.limits = tuple(limits)
        self._shared = limiter  # None: the vendor declares no rate (pauses still shared)
        self._backend = backend

    def acquire(self) -> float:
        started = time.monotonic()
        while (left := self._backend.paused_until(self.account) - time.time()) > 0:
            self._clock.sleep(min(left, 5.0))
        if self._shared is not None:
            self._shared.try_acquire(self.account, blocking=True)
        return time.monotonic() - started

    def observe(self, observation: RateObservation) -> None:
        if observation.remaining is not None and observation.remaining <= 0:
            self.pause(exhausted_for(observation, self.limits))

    def pause(self, seconds: float) -> None:
        self._backend.pause(self.account, time.time() + seconds)


class SharedCircuitBreaker(CircuitBreaker):
    def __init__(
        self,
        vendor: str,
        *,
        account: str,
        backend: BudgetBackend,
        clock: Clock,
        threshold: int = 5,
        cooldown_s: float = 60.0,
    ) -> None:
        super().__init__(vendor, threshold=threshold, cooldown_s=cooldown_s, clock=clock)
        self._name = f"breaker:{account}"
        self._backend = backend
        self._shared_lock = threading.Lock()

    @property
    def state(self) -> CircuitState:
        with self._shared_lock:
            self._load()
        return super().state

    def before_call(self) -> None:
        with self._shared_lock:
            before = self._load()
            try:
                super().before_call()
            finally:
                if (self._state, self._failures) != before:
                    self._save()

    def record_success(self) -> None:
        with self._shared_lock:
            if self._load() == (CircuitState.CLOSED, 0):
                return  # nothing to tell the others: no write on every good call
            super().record_success()
            self._save()

    def record_failure(self, what: str) -> None:
        with self._shared_lock:
            self._load()
            super().record_failure(what)
            self._save()

    def _load(self) -> tuple[CircuitState, int]:
        data = self._backend.load(self._name)
        if data is None:
            self._state, self._failures = CircuitState.CLOSED, 0
        else:
            self._state = CircuitState(data["state"])
            self._failures = int(data["failures"])
            self._last_failure = str(data.get("last", ""))
            ago = self._clock.now().timestamp() - float(data["opened_at"])
            self._opened_at = self._clock.monotonic() - ago
        return self._state, self._failures

    def _save(self) -> None:
        opened = self._clock.now().timestamp() - (self._clock.monotonic() - self._opened_at)
        self._backend.save(
            self._name,
            {
                "state": self._state.value,
                "failures": self._failures,
                "last": self._last_failure,
                "opened_at": opened,
            },
            ttl_s=BREAKER_TTL_S,
        )
