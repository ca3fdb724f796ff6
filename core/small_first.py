"""Slots a worker's threads wait for in one line, the smallest work first.

Two things in a worker process are handed out this way: the page budget's records
(core.page_budget: which stream fetches its next page) and store turns
(core.store_turns: which page is stored next). Both are asked for by dozens of
threads at once, and both must serve the rate-limited vendor's small pages
before large ones, yet never starve a large one. A waiter's place is the time it
asked plus `wait_per_record` for each record of the work it brings (the page
budget places its waiters by fair-queueing tags instead: `_place`); a slot
given back goes straight to the first waiter still in line (nobody arriving
later takes it first), and a waiter that stops or times out leaves the line.

A waiter may ask for several slots at once (`weight`: the page budget counts
records, so a small page takes little of it). The first waiter in line is served
once enough slots are free, and nobody behind it goes first: a large one waits
for slots to come back, never for a gap that small ones keep filling.

    slots = SmallFirstSlots(2, wait_per_record=0.002)
    if slots.acquire(records=100, stop=stopped):
        ...
        slots.release()

A waiter sleeps until it is served, its `timeout` ends or its `stop` is set: a
`StopSignal` wakes the waiters that watch it. Waking every 50 ms to look, as
waiters once did, a worker's hundred-odd waiting read-aheads woke two thousand
times a second for nothing, each time taking the interpreter lock.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field


class StopSignal(threading.Event):
    """An event that also sets the events watching it: what a waiter in line sleeps on
    (its own `called`) wakes when it is served or when this is set."""

    def __init__(self) -> None:
        super().__init__()
        self._watchers: set[threading.Event] = set()
        self._watchers_lock = threading.Lock()

    def set(self) -> None:
        super().set()
        with self._watchers_lock:
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher.set()

    def watch(self, watcher: threading.Event) -> None:
        """Set `watcher` when this is set (at once if it already is)."""
        with self._watchers_lock:
            self._watchers.add(watcher)
        if self.is_set():
            watcher.set()

    def unwatch(self, watcher: threading.Event) -> None:
        with self._watchers_lock:
            self._watchers.discard(watcher)


@dataclass(order=True)
class _Waiter:
    place: float
    order: int
    weight: int = field(compare=False, default=1)
    stream: object = field(compare=False, default=None)  # whose turn it is (PageBudget)
    called: threading.Event = field(compare=False, default_factory=threading.Event)
    served: bool = field(compare=False, default=False)  # `called` is also set by a stop
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
        weight: int = 1,
        stream: object = None,
        stop: StopSignal | None = None,
    ) -> bool:
        """`weight` slots for work of `records` records, for `stream` (the work's source,
        if the line keeps account of them); False if they did not come within `timeout` or
        once `stop` is set."""
        if not 1 <= weight <= self.slots:
            raise ValueError(f"a waiter asks for 1 to {self.slots} slots, not {weight}")
        with self._lock:
            place = self._place(records, weight, stream)
            if self._free >= weight and not self._waiting:
                self._free -= weight
                self._served(place, stream)
                return True
            if not blocking:
                return False
            waiter = _Waiter(place, next(self._order), weight, stream)
            heapq.heappush(self._line, waiter)
            self._waiting += 1
            self._serve()  # first in line now, it may fit where the one before it did not
        if stop is not None:
            stop.watch(waiter.called)
        try:
            return self._wait(waiter, timeout, stop)
        finally:
            if stop is not None:
                stop.unwatch(waiter.called)

    def _wait(self, waiter: _Waiter, timeout: float | None, stop: StopSignal | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            waiter.called.wait(left)
            with self._lock:
                if waiter.served:
                    return True  # handed over: `_free` already counts it as taken
                ended = deadline is not None and time.monotonic() >= deadline
                if ended or (stop is not None and stop.is_set()):
                    waiter.gone = True
                    self._waiting -= 1
                    self._serve()  # it may have been the first in line, waiting for more
                    return False

    def release(self, weight: int = 1) -> None:
        """Give `weight` slots back: to the waiters first in line, or to the free ones."""
        with self._lock:
            if self._free + weight > self.slots:
                raise ValueError("a slot was given back twice")
            self._free += weight
            self._serve()

    def _place(self, records: int, weight: int, stream: object) -> float:
        """Where work asking now stands in the line (called with the lock held)."""
        return time.monotonic() + records * self.wait_per_record

    def _served(self, place: float, stream: object) -> None:
        """Work at `place` was given its slots (called with the lock held)."""

    def _serve(self) -> None:
        """Hand free slots to the line in order, while its first waiter's weight fits
        (called with the lock held)."""
        while self._line:
            first = self._line[0]
            if not first.gone and first.weight > self._free:
                return
            heapq.heappop(self._line)
            if not first.gone:
                self._free -= first.weight
                self._waiting -= 1
                self._served(first.place, first.stream)
                first.served = True
                first.called.set()
