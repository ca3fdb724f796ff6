"""ReadAhead: order, errors in place, one item ahead, and a clean stop."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest

from core.iterables import ReadAhead, batched
from core.page_budget import PageBudget
from core.small_first import StopSignal


def test_batched_streams_lists() -> None:
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]


def test_items_arrive_in_order_and_errors_in_their_place() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("page 3 failed")

    pages = ReadAhead(source())
    assert next(pages) == 1 and next(pages) == 2
    with pytest.raises(ValueError, match="page 3"):
        next(pages)
    with pytest.raises(StopIteration):
        next(pages)


def test_the_next_item_is_produced_while_the_consumer_works() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for n in range(3):
            produced.append(n)
            yield n

    with closing(ReadAhead(source())) as pages:
        assert next(pages) == 0
        deadline = time.monotonic() + 5
        while len(produced) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert produced == [0, 1]  # one ahead, and no further (depth 1)
        time.sleep(0.1)
        assert produced == [0, 1]
        assert list(pages) == [1, 2]


def test_close_stops_the_helper_and_closes_the_source() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    pages = ReadAhead(source())
    assert next(pages) == 0
    pages.close()
    assert closed.wait(5)
    with pytest.raises(StopIteration):
        next(pages)


def test_a_shared_budget_bounds_the_items_held_across_read_aheads() -> None:
    """Items fetched and not yet finished with, over every stream sharing the budget."""
    budget = PageBudget(3, small_pool=0)  # items of one record each, all in the line
    held = peak = 0
    lock = threading.Lock()

    def source(n: int) -> Iterator[int]:
        nonlocal held, peak
        for i in range(n):
            with lock:
                held += 1
                peak = max(peak, held)
            yield i

    streams = [ReadAhead(source(20), depth=2, budget=budget) for _ in range(5)]

    def drain(stream: ReadAhead[int]) -> list[int]:
        nonlocal held
        out = []
        for item in stream:
            time.sleep(0.001)
            out.append(item)
            with lock:
                held -= 1
        return out

    with ThreadPoolExecutor(5) as pool:
        results = list(pool.map(drain, streams))
    assert results == [list(range(20))] * 5
    assert peak <= 3  # fetched and not yet finished with, over all five streams
    for stream in streams:
        stream.close()
    assert all(budget.acquire(timeout=1) for _ in range(3))  # every token came back


class _Page:
    """An item that can be watched with a weak reference."""


def test_an_item_handed_on_is_not_held_by_the_helper_waiting_for_the_budget() -> None:
    """While the consumer holds the budget's only token, the helper waits to fetch the
    next item; the item it handed on is the consumer's alone, who may drop it."""
    budget = PageBudget(1)
    stream = ReadAhead((_Page() for _ in range(3)), budget=budget)
    try:
        page = next(stream)
        watched = weakref.ref(page)
        time.sleep(0.2)  # the helper is now waiting for the token the consumer holds
        del page
        gc.collect()
        assert watched() is None
    finally:
        stream.close()


class _NotingBudget(PageBudget):
    """The sizes read-aheads ask with."""

    def __init__(self, records: int, *, small_page: int = 0) -> None:
        super().__init__(records, small_page=small_page)
        self.asked: list[int] = []

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
        assert stream is not None  # the budget keeps account of each stream
        self.asked.append(weight)
        return super().acquire(
            blocking, timeout, records=records, weight=weight, stream=stream, stop=stop
        )


def test_a_read_ahead_takes_its_last_items_size_from_the_budget() -> None:
    """A page counts for its records (core.page_budget): a read-ahead asks for as many
    records as its stream's last page had, and for the budget's first-page guess (at most
    its reserve) before its first page."""
    budget = _NotingBudget(40)
    with closing(ReadAhead(iter([[1] * 3, [1] * 5, [1]]), budget=budget, size=len)) as items:
        assert [len(item) for item in items] == [3, 5, 1]
    assert budget.asked[:3] == [budget.weight(0), 3, 5]
    assert budget.weight(0) == 10  # the first-page guess, at most the reserve
    assert budget.free == 40


def test_a_read_ahead_told_its_first_pages_size_asks_for_that_before_it() -> None:
    """An adapter that sets its page size says so (Adapter.page_records): the first page
    waits as the records it will bring, not as the budget's guess."""
    budget = _NotingBudget(40)
    source = iter([[1] * 3, [1]])
    with closing(ReadAhead(source, budget=budget, size=len, first_size=4)) as items:
        assert [len(item) for item in items] == [3, 1]
    assert budget.asked[:2] == [4, 3]
    assert budget.free == 40


def test_a_read_ahead_of_small_pages_takes_their_own_records_past_the_line() -> None:
    """A rate-bound vendor's small pages take from the small pages' own records, without
    waiting for the line's, which the large pages have taken; its first page, of unknown
    size, waits in the line as any other."""
    budget = _NotingBudget(40, small_page=5)
    # the large pages' records, all but the first page's
    assert PageBudget.acquire(budget, weight=30)
    with closing(ReadAhead(iter([[1] * 3, [1] * 5, [1]]), budget=budget, size=len)) as items:
        assert [len(item) for item in items] == [3, 5, 1]
    assert budget.asked == [10]  # the first page only
    assert budget.free == 10
    budget.release(30)
    with pytest.raises(ValueError, match="twice"):
        budget.release_small(1)  # every small page's records came back
