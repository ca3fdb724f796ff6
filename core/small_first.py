"""Slots a worker's threads wait for in one line, the smallest work first.

Two things in a worker process are handed out this way: page budget tokens
(core.page_budget: which stream fetches its next page) and store turns
(core.store_turns: which page is stored next). Both are asked for by dozens of
threads at once, and both must serve the rate-limited vendor's small pages
before large ones, yet never starve a large one. A waiter's place is the time it
asked plus `wait_per_record` for each record of the work it brings; a slot
given back goes straight to the first waiter still in line (nobody arriving
later takes it first), and a waiter that stops or times out leaves the line.

    slots = SmallFirstSlots(2, wait_per_record=0.002)
    if slots.acquire(records=100, stop=stopped):
        ...
        slots.release()
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field

POLL_S = 0.05  # how often a waiter looks at its `stop`


@dataclass(order=True)
class _Waiter:
    place: float
    order: int
    called: threading.Event = field(compare=False, default_factory=threading.Event)
    gone: bool = field(compare=False, default=False)  # stopped or timed out: skipped


class SmallFirstSlots:
    def __init__(self, slots: int, *, wait_per_record: float) -> None:
        self.slots = slots
        self.wait_per_record = wait_per_record
        self._free = slots
        self._waiting = 0  # waiters in the line, not gone
        self._line: list[_Waiter] = []
        self._order = itertools.count()  # equal places: first asked, first served
        self._lock = threading.Lock()

    @property
    def free(self) -> int:
        return self._free

    @property
    def waiting(self) -> int:
        return self._waiting

    def acquire(
        self,
        blocking: bool = True,
        timeout: float | None = None,
        *,
        records: int = 0,
        stop: threading.Event | None = None,
    ) -> bool:
        """A slot for work of `records` records; False if none came within `timeout` or
        once `stop` is set."""
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return True
            if not blocking:
                return False
            waiter = _Waiter(time.monotonic() + records * self.wait_per_record, next(self._order))
            heapq.heappush(self._line, waiter)
            self._waiting += 1
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_S if deadline is None else min(POLL_S, deadline - time.monotonic())
            if waiter.called.wait(max(0.0, left)):
                return True  # handed over: `_free` already counts it as taken
            ended = deadline is not None and time.monotonic() >= deadline
            if ended or (stop is not None and stop.is_set()):
                with self._lock:
                    if waiter.called.is_set():
                        return True
                    waiter.gone = True
                    self._waiting -= 1
                return False

    def release(self) -> None:
        """Give a slot back: to the first waiter in line, or to the free ones."""
        with self._lock:
            if self._free >= self.slots:
                raise ValueError("a slot was given back twice")
            while self._line:
                waiter = heapq.heappop(self._line)
                if not waiter.gone:
                    self._waiting -= 1
                    waiter.called.set()
                    return
            self._free += 1
