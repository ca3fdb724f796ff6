"""The pages one worker process holds between fetching and storing, over all its runs.

Memory stays flat however many streams run only if every page fetched counts.
Two kinds of holder take tokens:

- a stream's read-ahead (core.iterables.ReadAhead) waits for a token before it
  fetches the page its stream needs next, and gives it back once that page is
  stored;
- a page fetched ahead of its turn (adapters.prefetch) only takes a *spare*
  token: never waiting, never while a read-ahead waits, never one of the last
  `reserve` tokens. With none spare, the page is fetched when its turn comes.

Why the reserve: a stream's pages fetched ahead keep their tokens while its
generator is suspended between pages, and they are only given back once its
read-ahead gets a token for the next page. If pages fetched ahead could take
every token, every read-ahead would wait for a token only they can free: a
deadlock (it happened, commit ebe8528). Tokens a read-ahead holds always come
back (a consumer stores its page without waiting for anything here), and pages
fetched ahead never hold the reserve, so a waiting read-ahead always gets one.

Who gets a token given back: the waiting read-ahead whose place comes first, its
place being the time it asked plus `WAIT_PER_RECORD` for each record of its
stream's last page. Twenty runs in flight keep about seventy read-aheads waiting
for about ten tokens a second; served as they came, a stream got a page every
seven seconds or so, and the vendor the batch waits for (HubSpot: 100-record
pages at 19 calls a second, cheap to store) made one or two calls a second until
the large-page vendors were done. A small page goes ahead of large ones that
asked up to a few seconds before it; a large page is never starved, only held
back for a bounded time. Measured with bench/throughput_bench.py at 10,000
records per entity (20 runs, about 1M records, this 2-core machine): the batch
ended in 112-113 s against 121-136 s served as they came.

    budget = PageBudget(32)
    budget.acquire(records=100, stop=stopped)  # a read-ahead, before its next page
    budget.take_spare()            # a page fetched ahead: True, or fetch it in its turn
    budget.release()               # either, when its page is done with
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field

# What a record of a stream's last page puts on its place in the line: a 1,000-record
# page yields to small ones asking up to 2 s after it (tokens come back at about ten a
# second with twenty runs in flight).
WAIT_PER_RECORD = 0.002
POLL_S = 0.05  # how often a waiting read-ahead looks at its `stop`


@dataclass(order=True)
class _Waiter:
    place: float
    order: int
    called: threading.Event = field(compare=False, default_factory=threading.Event)
    gone: bool = field(compare=False, default=False)  # stopped or timed out: skipped


class PageBudget:
    def __init__(
        self, pages: int, *, reserve: int | None = None, wait_per_record: float = WAIT_PER_RECORD
    ) -> None:
        if pages < 1:
            raise ValueError("a page budget needs at least one page")
        self.pages = pages
        # a quarter kept for the read-aheads (at least one: the deadlock above)
        self.reserve = max(1, pages // 4) if reserve is None else reserve
        if not 1 <= self.reserve <= pages:
            raise ValueError("the reserve must be between 1 and the budget's pages")
        self.wait_per_record = wait_per_record
        self._free = pages
        self._waiting = 0  # waiters in the line, not gone
        self._line: list[_Waiter] = []
        self._order = itertools.count()  # equal places: first asked, first served
        self._lock = threading.Lock()

    @property
    def free(self) -> int:
        return self._free

    def acquire(
        self,
        blocking: bool = True,
        timeout: float | None = None,
        *,
        records: int = 0,
        stop: threading.Event | None = None,
    ) -> bool:
        """A token for the page a stream needs next, whose last page held `records`
        records; False if none came within `timeout` or once `stop` is set."""
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return True
            if not blocking:
                return False
            place = time.monotonic() + records * self.wait_per_record
            waiter = _Waiter(place, next(self._order))
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

    def take_spare(self) -> bool:
        """A token for a page fetched ahead of its turn, if one is spare (see above)."""
        with self._lock:
            if self._waiting or self._free <= self.reserve:
                return False
            self._free -= 1
            return True

    def release(self) -> None:
        """Give a token back: to the first waiter in line, or to the free ones."""
        with self._lock:
            if self._free >= self.pages:
                raise ValueError("a page budget token was given back twice")
            while self._line:
                waiter = heapq.heappop(self._line)
                if not waiter.gone:
                    self._waiting -= 1
                    waiter.called.set()
                    return
            self._free += 1
