"""The records one worker process holds between fetching and storing, over all its runs.

Memory stays flat however many streams run only if every page fetched counts.
A page counts for its records: memory goes with records, and a token per page
let a 100-record HubSpot page wait behind 1,000-record pages for a place it
hardly needed. Three kinds of holder take a page's records from the budget:

- a stream's read-ahead (core.iterables.ReadAhead) waits for them before it
  fetches the page its stream needs next, and gives them back once that page is
  stored; it asks for as many as its stream's last page had (`weight`), and
  before its first page for the page size its adapter asks the vendor for
  (Adapter.page_records), or `first_page` records where the vendor decides;
- a small page (at most `small_page` records: HubSpot's 100, Zoho's 200) first
  takes from the small pages' own `small_pool`, past the line; only when that
  is spent does it join the line. A vendor with small pages is held back by
  its calls, not its records: in the line, a HubSpot stream still waited about
  half a second a page behind large pages whose turn had come, and made a third
  of the calls its limit allowed while the large-page vendors ran;
- a page fetched ahead of its turn (adapters.prefetch) only takes *spare*
  records: never waiting, never while a read-ahead waits, never from the last
  `reserve`. With none spare, the page is fetched when its turn comes.

Why the reserve: a stream's pages fetched ahead keep their records while its
generator is suspended between pages, and they are only given back once its
read-ahead gets its next page's. If pages fetched ahead could take all of the
budget, every read-ahead would wait for what only they can free: a deadlock (it
happened, commit ebe8528). What read-aheads hold always comes back (a consumer
stores its page without waiting for anything here), no read-ahead asks for more
than the reserve, and pages fetched ahead never take from it, so the first
read-ahead in line always gets its records.

Who is served first: the waiting read-ahead whose stream has had the fewest
records lately (self-clocked fair queueing over streams). Its place in the line
(core.small_first) is its finish tag: the later of the line's clock and its
stream's last tag, plus the records it asks for; the line's clock is the tag of
the page served last. A stream that waits on its vendor between pages (HubSpot:
100-record pages at 19 calls a second) asks again with a tag near the clock and
goes ahead of streams with 1,000-record pages that were just served; a stream
with large pages is never starved, since each page served to the others moves
their tags on (no time constant to tune, unlike the line before it, which held a
large page back 2 ms a record).

Measured with bench/throughput_bench.py at 10,000 records per entity (20 runs,
about 1M records, this 2-core machine; store turns at 2 ms a record, see
core.store_turns, except in the first line, at 0.1 ms):

- a token per page, 32 pages: 114-120 s, peak RSS 230-253 MB;
- records, in fair queueing only, 16,000: 105-131 s, 210-215 MB;
- with the small pages' own pool as well: 97.5 s and 213 MB at 12,000 records
  (the default), 96 s and 217 MB at 14,000, 89 s and 278 MB at 16,000. With the
  pool's pages at most 187 records (a 64th of 12,000), Zoho's 200-record pages
  stayed in the line and its runs ended last, at 101 s.

    budget = PageBudget(12_000)
    weight = budget.weight(500)    # a stream whose last page had 500 records
    budget.take_small(weight)      # False: not a small page (else it is done, past the line)
    budget.acquire(weight=weight, stream=read_ahead, stop=stopped)  # before its next page
    budget.take_spare(budget.weight(500))  # a page fetched ahead: True, or fetch it in turn
    budget.release(weight)         # either, when its page is done with (release_small)
"""

from __future__ import annotations

import weakref

from core.small_first import SmallFirstSlots

# What a stream's first page takes where its adapter does not say its page size: the
# common largest page.
FIRST_PAGE_RECORDS = 1000
# The largest page the small pages' own pool takes: the rate-bound vendors' (HubSpot 100,
# Zoho 200; Pipedrive's and Oracle's 500 are not).
SMALL_PAGE_RECORDS = 250


class PageBudget(SmallFirstSlots):
    """`acquire(weight=..., stream=..., stop=...)` and `release(weight)` are the line's
    (core.small_first), in records."""

    def __init__(
        self,
        records: int,
        *,
        reserve: int | None = None,
        first_page: int = FIRST_PAGE_RECORDS,
        small_page: int | None = None,
        small_pool: int | None = None,
    ) -> None:
        if records < 1:
            raise ValueError("a page budget needs at least one record")
        super().__init__(records, wait_per_record=0.0)
        self._clock = 0.0  # the finish tag of the page served last
        # each stream's last finish tag, for as long as the stream lives
        self._tags: weakref.WeakKeyDictionary[object, float] = weakref.WeakKeyDictionary()
        self.records = records
        # a quarter kept for the read-aheads (at least one: the deadlock above)
        self.reserve = max(1, records // 4) if reserve is None else reserve
        if not 1 <= self.reserve <= records:
            raise ValueError("the reserve must be between 1 and the budget's records")
        self.first_page = first_page
        # small pages' own records, past the line (see above): half as many again
        self.small_page = SMALL_PAGE_RECORDS if small_page is None else small_page
        self.small_pool = records // 2 if small_pool is None else small_pool
        self._small_free = self.small_pool

    def weight(self, records: int) -> int:
        """What a page of `records` records takes (0: a first page, its size unknown): at
        most the reserve, so the first read-ahead in line always fits once the others'
        pages are stored."""
        return max(1, min(records or self.first_page, self.reserve))

    def _place(self, records: int, weight: int, stream: object) -> float:
        last = self._tags.get(stream, 0.0) if stream is not None else 0.0
        return max(self._clock, last) + weight

    def _served(self, place: float, stream: object) -> None:
        self._clock = max(self._clock, place)
        if stream is not None:
            self._tags[stream] = place

    def take_small(self, weight: int) -> bool:
        """`weight` records of the small pages' own, for a page of at most `small_page`
        records, if they are free (never waiting: else the page joins the line)."""
        with self._lock:
            if weight > self.small_page or weight > self._small_free:
                return False
            self._small_free -= weight
            return True

    def release_small(self, weight: int) -> None:
        """Give back what `take_small` gave."""
        with self._lock:
            if self._small_free + weight > self.small_pool:
                raise ValueError("small pages' records were given back twice")
            self._small_free += weight

    def take_spare(self, weight: int = 1) -> bool:
        """`weight` records for a page fetched ahead of its turn, if they are spare (see
        above)."""
        with self._lock:
            if self._waiting or self._free - weight < self.reserve:
                return False
            self._free -= weight
            return True
