"""Pages are stored in turns, the smallest first, over all the runs of a worker process.

One process, one interpreter lock: with twenty runs in flight, eighty streams
store pages at once (decide each record, one bulk upsert), and each gets an
eightieth of the interpreter. Two things go wrong. The stream the whole batch
waits for is a rate-limited vendor's (HubSpot's 100-record pages at 19 calls a
second), and its next request leaves only once its page is stored, so its small
page waits behind 1,000-record SAP pages. And the process spends CPU switching
between them while SQLite lets one writer in at a time anyway. Taking turns,
smallest page first, the small page's store ends in milliseconds and its stream's
next request goes out at once; the large pages wait a little.

Measured with bench/throughput_bench.py at 10,000 records per entity (20 runs,
about 1M records, this 2-core machine, runs alternated): the batch ended in
129-144 s with one turn (six runs), 143 s with two, 151-153 s with no turns
(three runs); first-come turns gave 139 s. The worker also used less CPU: 80-92
against 92-97 s.

A page's place in the queue is the time it asked plus `WAIT_PER_RECORD` per
record it holds, so a large page yields to small ones for a bounded time and is
never starved by a steady stream of them. `turns` 0 switches turns off (a store
that writes in parallel, or a single run).

    turns = StoreTurns(1)
    with turns.turn(len(records)):
        ...  # decide and upsert the page
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.small_first import SmallFirstSlots

# A 1,000-record page lets the small pages that ask within the next 2 s go first. At
# 0.1 ms a record (about what storing one costs here) HubSpot's streams, once their pages
# no longer waited for the page budget (core.page_budget), waited for store turns instead:
# the batch ended in 103.8 s against 89.1 s at 2 ms (bench/throughput_bench.py, 10,000
# records per entity, one run each, 16,000 records buffered, the small pages' pool half
# and a quarter of it).
WAIT_PER_RECORD = 0.002


class StoreTurns:
    def __init__(self, turns: int) -> None:
        if turns < 0:
            raise ValueError("turns cannot be negative")
        self.turns = turns
        # the line of pages waiting (core.small_first); none with no turns
        self.line = SmallFirstSlots(turns, wait_per_record=WAIT_PER_RECORD) if turns else None

    @contextmanager
    def turn(self, records: int) -> Iterator[None]:
        """Hold a turn to store a page of `records` records."""
        if self.line is None:
            yield
            return
        self.line.acquire(records=records)
        try:
            yield
        finally:
            self.line.release()
