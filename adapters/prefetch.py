"""Pages of one entity fetched at once, where the paging lets their positions be known.

With offset paging (SAP `$skip`, Oracle `offset`) the position of page n+1 does
not depend on page n's answer, so up to `width` pages are requested together
on a small thread pool, while the caller still sees them one by one in order:
the paginator reads each answer in order (its loop detection and stop rules
unchanged) and the resume position after each page is exactly the one a
sequential read would have saved. A killed run therefore resumes as before.

Every request still goes through the adapter's session, so the vendor account's
rate limiter and concurrency slots decide how many are really on the wire; the
window only stops a stream waiting for its own previous page. A page fetched
ahead holds a spare share of the worker's page budget (`budget`: records held
between fetching and storing, core.page_budget) until its turn comes; with none
spare it is fetched in its turn. Before they counted, twenty runs paging ahead
held about 260 MB of pages outside the budget at 10,000 records per entity
(bench/throughput_bench.py). The first page is read alone: its total (or its
being full) says how far the listing goes, so no request is sent past the end
when the vendor gives a total.

    for reply, raw in fetch_pages(paginator, request, send, records, width=4):
        ...  # paginator.resume is the position after this page

Cursor and next-link paging (`ahead` returns None) read one page after another.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson

from adapters.paging import PageRequest, Paginator
from adapters.payload import Reply
from core.page_budget import PageBudget

Send = Callable[[PageRequest], Reply]
Records = Callable[[Reply], list[Any]]


def _key(position: dict[str, Any]) -> bytes:
    return orjson.dumps(position, option=orjson.OPT_SORT_KEYS)


def fetch_pages(
    paginator: Paginator,
    request: PageRequest,
    send: Send,
    records: Records,
    *,
    width: int = 1,
    budget: PageBudget | None = None,
    page_records: int = 0,
) -> Iterator[tuple[Reply, list[Any]]]:
    """Each page's reply and records, in order; `paginator` has read the page when it is
    yielded (so `paginator.resume` is the position after it). The page the read needs
    now is the caller's (its read-ahead holds a share for it); each one fetched ahead of
    it holds a spare share of `budget`, `page_records` records (Adapter.page_records; 0:
    the budget's guess), until its turn comes."""
    if width <= 1 or paginator.ahead(width) is None:
        yield from _one_by_one(paginator, request, send, records)
        return
    pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="page")
    pending: dict[bytes, Future[Reply]] = {}
    tokens = _Tokens(budget, page_records)
    try:
        while True:
            positions = paginator.ahead(width)
            if positions is None:  # the vendor switched to next links (SAP server paging)
                for key, future in pending.items():
                    future.cancel()
                    tokens.give_back(key)
                pending.clear()
                positions = []
            now = _key(paginator.state)
            tokens.give_back(now)  # the page is the caller's now: its read-ahead's token
            for position in positions:
                key = _key(position)
                if key in pending or len(pending) >= width:
                    continue
                if key != now and not tokens.take(key):
                    break  # none spare: the rest are fetched in their turn
                # in a copy of the caller's context: the calls are its entity's
                ahead = paginator.request_at(request, position)
                pending[key] = pool.submit(contextvars.copy_context().run, send, ahead)
            # no local: a suspended generator keeps its locals, and this one waits suspended
            # while the page's stream waits for the page budget (core.page_budget)
            yield _read(paginator, _answer(pending, paginator, request, send), records)
            if not paginator.has_next_page:
                return
            paginator.update_request(request)
    finally:
        for future in pending.values():
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        tokens.give_back_all()


class _Tokens:
    """The page-budget shares one stream's pages fetched ahead hold, by position; a page
    takes a full page's records (`page_records`, 0: the budget's guess)."""

    def __init__(self, budget: PageBudget | None, page_records: int) -> None:
        self._budget = budget
        self._weight = budget.weight(page_records) if budget is not None else 0
        self._held: set[bytes] = set()

    def take(self, key: bytes) -> bool:
        if self._budget is not None and not self._budget.take_spare(self._weight):
            return False
        self._held.add(key)
        return True

    def give_back(self, key: bytes) -> None:
        if key in self._held:
            self._held.discard(key)
            if self._budget is not None:
                self._budget.release(self._weight)

    def give_back_all(self) -> None:
        for key in list(self._held):
            self.give_back(key)


def _one_by_one(
    paginator: Paginator, request: PageRequest, send: Send, records: Records
) -> Iterator[tuple[Reply, list[Any]]]:
    while True:
        yield _read(paginator, send(request), records)
        if not paginator.has_next_page:
            return
        paginator.update_request(request)


def _read(paginator: Paginator, reply: Reply, records: Records) -> tuple[Reply, list[Any]]:
    """A page read by the paginator. Built here, not in the generators' own frames: a
    suspended generator keeps its locals, so each stream waiting for the process's page
    budget (core.iterables.ReadAhead) held its last page, decoded, outside that budget."""
    raw = records(reply)
    paginator.update_state(reply, raw)
    return reply, raw


def _answer(
    pending: dict[bytes, Future[Reply]], paginator: Paginator, request: PageRequest, send: Send
) -> Reply:
    """The answer for the paginator's position: fetched ahead, or now."""
    fetched = pending.pop(_key(paginator.state), None)
    return fetched.result() if fetched is not None else send(request)
