"""Pages fetched ahead in parallel: the same pages, the same order and the same resume
positions as a sequential read, and no request past the end when the vendor gives a total."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.paging import (
    CursorPaginator,
    ODataPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    PageRequest,
)
from adapters.payload import Reply
from adapters.prefetch import fetch_pages
from core.errors import TransientVendorError
from core.iterables import ReadAhead
from core.page_budget import PageBudget


class OffsetVendor:
    """`total` records, offset/limit paging; counts requests and how many run at once."""

    def __init__(self, total: int, *, with_total: bool, fail_at: int | None = None) -> None:
        self.total, self.with_total, self.fail_at = total, with_total, fail_at
        self.offsets: list[int] = []
        self.counted: list[bool] = []
        self.active = self.peak = 0
        self._lock = threading.Lock()

    def send(self, request: PageRequest) -> Reply:
        offset, limit = int(request.params["offset"]), int(request.params["limit"])
        with self._lock:
            self.offsets.append(offset)
            self.counted.append("totalResults" in request.params)
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(0.01)
        with self._lock:
            self.active -= 1
        if offset == self.fail_at:
            raise TransientVendorError("the vendor went away")
        items = [{"id": i} for i in range(offset, min(offset + limit, self.total))]
        body: dict[str, Any] = {"items": items, "hasMore": offset + limit < self.total}
        if self.with_total and "totalResults" in request.params:
            body["totalResults"] = self.total
        return Reply(200, {}, body, "https://vendor.test/items")


def _read(vendor: OffsetVendor, width: int, limit: int = 10) -> list[tuple[list[int], Any]]:
    paginator = OffsetPaginator(
        limit=limit,
        has_more_path="hasMore",
        total_path="totalResults",
        count=("totalResults", "true"),
    )
    request = PageRequest(url="/items")
    paginator.init_request(request)
    return [
        ([r["id"] for r in raw], paginator.resume)
        for _reply, raw in fetch_pages(
            paginator, request, vendor.send, lambda reply: reply.body["items"], width=width
        )
    ]


@settings(max_examples=40, deadline=None)
@given(total=st.integers(0, 95), width=st.integers(1, 6), with_total=st.booleans())
def test_parallel_pages_read_exactly_what_a_sequential_read_does(
    total: int, width: int, with_total: bool
) -> None:
    sequential = _read(OffsetVendor(total, with_total=with_total), 1)
    vendor = OffsetVendor(total, with_total=with_total)
    parallel = _read(vendor, width)
    assert parallel == sequential
    assert [i for ids, _ in parallel for i in ids] == list(range(total))
    if with_total:  # the first page's total: no request past the end
        assert sorted(vendor.offsets) == [p * 10 for p in range(max(1, -(-total // 10)))]
        assert vendor.counted[0] and not any(vendor.counted[1:])  # counted once, page one


def test_pages_are_requested_together_up_to_the_width() -> None:
    vendor = OffsetVendor(200, with_total=True)
    _read(vendor, 4)
    assert vendor.peak == 4


def test_a_failed_page_stops_the_read_after_the_pages_before_it() -> None:
    vendor = OffsetVendor(100, with_total=True, fail_at=50)
    got: list[Any] = []
    with pytest.raises(TransientVendorError):
        got.extend(_read_lazily(vendor, 4))
    assert [resume for _, resume in got] == [{"offset": o} for o in (10, 20, 30, 40, 50)]


def _read_lazily(vendor: OffsetVendor, width: int) -> Any:
    paginator = OffsetPaginator(limit=10, total_path="totalResults", count=("totalResults", "true"))
    request = PageRequest(url="/items")
    paginator.init_request(request)
    for _reply, raw in fetch_pages(
        paginator, request, vendor.send, lambda reply: reply.body["items"], width=width
    ):
        yield [r["id"] for r in raw], paginator.resume


def test_a_resumed_parallel_read_starts_after_the_checkpoint() -> None:
    vendor = OffsetVendor(60, with_total=False)
    paginator = OffsetPaginator(limit=10, has_more_path="hasMore")
    request = PageRequest(url="/items")
    paginator.init_request(request, {"offset": 30})
    pages = [
        [r["id"] for r in raw]
        for _reply, raw in fetch_pages(
            paginator, request, vendor.send, lambda reply: reply.body["items"], width=3
        )
    ]
    assert [i for page in pages for i in page] == list(range(30, 60))


def test_cursor_and_next_link_paging_have_no_positions_ahead() -> None:
    assert CursorPaginator(cursor_path="next", param="after").ahead(4) is None
    odata = ODataPaginator(top=10)
    odata.init_request(PageRequest(url="/A_Product"), {"next_url": "/A_Product?$skiptoken=9"})
    assert odata.ahead(4) is None


class ZohoVendor:
    """`total` records, 10 a page: page numbers for the first `numbered` pages, then only
    the page token the previous page handed out (Zoho's first 2,000 records)."""

    def __init__(self, total: int, numbered: int) -> None:
        self.total, self.numbered = total, numbered
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def send(self, request: PageRequest) -> Reply:
        token = request.params.get("page_token")
        page = int(str(token).removeprefix("t")) if token else int(request.params["page"])
        assert token or page <= self.numbered, f"page {page} asked by number"
        with self._lock:
            self.asked.append(f"t{page}" if token else str(page))
        start = (page - 1) * 10
        items = [{"id": i} for i in range(start, min(start + 10, self.total))]
        more = start + 10 < self.total
        info = {"more_records": more, "next_page_token": f"t{page + 1}" if more else None}
        return Reply(200, {}, {"data": items, "info": info}, "https://vendor.test/Contacts")


def _zoho_read(vendor: ZohoVendor, width: int) -> list[tuple[list[int], Any]]:
    paginator = PageNumberPaginator(
        more_path="info.more_records",
        token_path="info.next_page_token",
        token_param="page_token",
        numbered_pages=vendor.numbered,
    )
    request = PageRequest(url="/Contacts")
    paginator.init_request(request)
    return [
        ([r["id"] for r in raw], paginator.resume)
        for _reply, raw in fetch_pages(
            paginator, request, vendor.send, lambda reply: reply.body["data"], width=width
        )
    ]


@settings(max_examples=40, deadline=None)
@given(total=st.integers(0, 160), numbered=st.integers(1, 8), width=st.integers(2, 5))
def test_page_numbers_are_fetched_ahead_until_the_token_takes_over(
    total: int, numbered: int, width: int
) -> None:
    sequential = ZohoVendor(total, numbered)
    parallel = ZohoVendor(total, numbered)
    assert _zoho_read(parallel, width) == _zoho_read(sequential, 1)
    wasted = [a for a in parallel.asked if a not in sequential.asked]
    assert len(wasted) < width  # past the last page: at most one window's worth
    tokens = [a for a in parallel.asked if a.startswith("t")]
    assert tokens == [a for a in sequential.asked if a.startswith("t")]  # in order, once each


class _Row:
    """A record that can be watched with a weak reference (dicts cannot)."""


@pytest.mark.parametrize("width", [1, 3])
def test_a_page_handed_on_is_not_held_by_the_paused_read(width: int) -> None:
    """The stream pauses after each page (the process's page budget decides when it goes
    on); the page it handed on belongs to the caller alone, who may drop it."""
    vendor = OffsetVendor(30, with_total=True)
    paginator = OffsetPaginator(
        limit=10, has_more_path="hasMore", total_path="totalResults", count=("totalResults", "1")
    )
    request = PageRequest(url="/items")
    paginator.init_request(request)
    pages = fetch_pages(
        paginator,
        request,
        vendor.send,
        lambda reply: [_Row() for _ in reply.body["items"]],
        width=width,
    )
    reply, raw = next(pages)
    watched, answer = weakref.ref(raw[0]), weakref.ref(reply)
    del reply, raw
    gc.collect()
    assert watched() is None
    assert answer() is None, "the paused read keeps the page's decoded answer"
    assert len([raw for _reply, raw in pages]) == 2  # the read goes on as before


class _CountingBudget(PageBudget):
    """The process's page budget, noting the most records out at once."""

    def __init__(self, records: int, *, reserve: int | None = None) -> None:
        super().__init__(records, reserve=reserve)
        self.peak = 0

    def take_spare(self, weight: int = 1) -> bool:
        taken = super().take_spare(weight)
        self.peak = max(self.peak, self.records - self.free)
        return taken


def _budgeted_read(total: int, budget: PageBudget, *, limit: int = 10) -> Any:
    paginator = OffsetPaginator(
        limit=limit, has_more_path="hasMore", total_path="totalResults",
        count=("totalResults", "true"),
    )  # fmt: skip
    request = PageRequest(url="/items")
    paginator.init_request(request)
    vendor = OffsetVendor(total, with_total=True)
    pages = fetch_pages(
        paginator, request, vendor.send, lambda reply: reply.body["items"],
        width=4, budget=budget, page_records=limit,
    )  # fmt: skip
    return paginator, vendor, pages


@pytest.mark.parametrize(("pages", "reserve"), [(1, 1), (2, 1), (5, 2), (8, 2)])
def test_pages_fetched_ahead_hold_spare_records_and_give_them_back(
    pages: int, reserve: int
) -> None:
    """Every page held ahead of the read takes a full page's records (10 here) of what is
    spare, without waiting; the pages and positions are those of a sequential read, and
    every record comes back."""
    budget = _CountingBudget(pages * 10, reserve=reserve * 10)
    paginator, vendor, read_pages = _budgeted_read(95, budget)
    read = [([r["id"] for r in raw], paginator.resume) for _reply, raw in read_pages]
    assert read == _read(OffsetVendor(95, with_total=True), 1)
    # never the reserve; 3 ahead at width 4
    assert budget.peak <= min(pages - reserve, 3) * 10
    assert budget.free == pages * 10
    if pages == reserve:  # nothing spare: no page fetched ahead, one request at a time
        assert vendor.peak == 1
    else:
        assert vendor.peak > 1


def test_a_read_stopped_early_gives_its_records_back() -> None:
    budget = PageBudget(80, reserve=10)
    _paginator, _vendor, pages = _budgeted_read(200, budget)
    next(pages)
    next(pages)
    assert budget.free < 80  # pages held ahead
    pages.close()
    assert budget.free == 80


def test_streams_paging_ahead_never_hold_the_tokens_their_read_aheads_need() -> None:
    """The deadlock of commit ebe8528: each stream's read-ahead takes a token, its first
    page arrives with pages fetched ahead behind it, the consumer stores the page and gives
    the token back; then the stream waits for a token for its next page while its pages
    fetched ahead, held by the suspended generator, keep theirs. However many streams do
    this, a token stays free for a read-ahead, so the reads go on."""
    budget = PageBudget(80, reserve=20)  # pages of 10 records: 8 pages, 2 in reserve
    streams = [_budgeted_read(200, budget)[2] for _ in range(6)]
    try:
        for pages in streams:
            for _first_then_second_page in range(2):  # the first page is read alone
                # the stream's read-ahead, for its next page
                assert budget.acquire(timeout=1, weight=10)
                next(pages)
                budget.release(10)  # the consumer stored the page
        assert budget.free >= 20
        assert budget.acquire(blocking=False, weight=10)  # a read-ahead gets one at once
        budget.release(10)
    finally:
        for pages in streams:
            pages.close()
    assert budget.free == 80


def test_reads_sharing_a_small_budget_all_end() -> None:
    """Many streams, each a read-ahead over pages fetched ahead, one small budget: every
    read ends with every record, and every share of the budget comes back."""
    budget = PageBudget(28, reserve=7)  # pages of 7 records: 4 pages, 1 in reserve
    streams = [ReadAhead(_budgeted_read(120, budget, limit=7)[2], budget=budget) for _ in range(8)]

    def drain(stream: ReadAhead[Any]) -> list[int]:
        ids = []
        for _reply, raw in stream:
            time.sleep(0.002)
            ids += [r["id"] for r in raw]
        return ids

    with ThreadPoolExecutor(8) as pool:
        done = [pool.submit(drain, stream) for stream in streams]
        assert [f.result(timeout=60) for f in done] == [list(range(120))] * 8
    for stream in streams:
        stream.close()
    assert budget.free == 28
