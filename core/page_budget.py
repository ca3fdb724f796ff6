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

Who gets a token given back (core.small_first): the waiting read-ahead whose place
comes first, its place being the time it asked plus `WAIT_PER_RECORD` for each record of its
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

from core.small_first import SmallFirstSlots

# What a record of a stream's last page puts on its place in the line: a 1,000-record
# page yields to small ones asking up to 2 s after it (tokens come back at about ten a
# second with twenty runs in flight).
WAIT_PER_RECORD = 0.002


class PageBudget(SmallFirstSlots):
    """`acquire(records=..., stop=...)` and `release()` are the line's (core.small_first)."""

    def __init__(
        self, pages: int, *, reserve: int | None = None, wait_per_record: float = WAIT_PER_RECORD
    ) -> None:
        if pages < 1:
            raise ValueError("a page budget needs at least one page")
        super().__init__(pages, wait_per_record=wait_per_record)
        self.pages = pages
        # a quarter kept for the read-aheads (at least one: the deadlock above)
        self.reserve = max(1, pages // 4) if reserve is None else reserve
        if not 1 <= self.reserve <= pages:
            raise ValueError("the reserve must be between 1 and the budget's pages")

    def take_spare(self) -> bool:
        """A token for a page fetched ahead of its turn, if one is spare (see above)."""
        with self._lock:
            if self._waiting or self._free <= self.reserve:
                return False
            self._free -= 1
            return True
