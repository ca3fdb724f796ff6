"""A read paused between pages keeps nothing of the page it handed on.

The worker's page budget (core.page_budget) counts a page from the moment its
stream asks for it until the engine asks for the next one, so memory stays flat
with the number of streams only if nothing else keeps a page. A stream waits for
the budget suspended inside the adapter's read generators, and a suspended
generator keeps its locals: a page, or its decoded answer, left in any of them is
held outside the budget. Twenty runs in flight held about eighty such pages
(bench/throughput_bench.py: the same peak RSS with a budget of 12 pages as of 32).
"""

from __future__ import annotations

import gc
from collections.abc import Generator
from dataclasses import replace
from typing import cast

import pytest

from adapters.base import RemotePage, RemoteRecord
from adapters.payload import Reply
from core.page_budget import PageBudget
from tests.proof.conftest import Hub


class _PageCountingBudget(PageBudget):
    """A budget counting pages, not records: what it holds is the pages fetched ahead."""

    def weight(self, records: int) -> int:
        return 1


def _alive(kind: type) -> int:
    gc.collect()
    return sum(isinstance(found, kind) for found in gc.get_objects())


@pytest.mark.parametrize("ahead", [1, 4], ids=["one-by-one", "pages-ahead"])
def test_a_read_paused_between_pages_keeps_nothing_of_the_page_it_handed_on(
    hub: Hub, ahead: int
) -> None:
    adapter = hub.adapter()
    budget = _PageCountingBudget(8)
    adapter.context = replace(adapter.context, pages_in_flight=ahead, page_budget=budget)
    before = {kind: _alive(kind) for kind in (RemotePage, RemoteRecord, Reply)}
    pages = cast(
        Generator[RemotePage, None, None],
        adapter.read(hub.case.first_entity, since=None, resume=None),
    )
    try:
        page = next(pages)
        assert page.records, "the read's first page is empty"
        del page  # the engine is done with it and waits for the page budget
        assert _alive(RemotePage) == before[RemotePage]
        assert _alive(RemoteRecord) == before[RemoteRecord]
        # pages fetched ahead of their turn are the only answers kept: each holds a share
        held_ahead = budget.records - budget.free
        assert _alive(Reply) <= before[Reply] + held_ahead, "a decoded answer is kept"
    finally:
        pages.close()
        adapter.close()


def test_an_adapter_says_how_many_records_its_pages_bring(hub: Hub) -> None:
    """What a stream's first page takes of the page budget is the adapter's word
    (Adapter.page_records): every page of a full read is at most that, and a full page is
    not less than half of it (the first page of a large stream waits in line as its own
    size, neither a small page taken for a large one nor the other way round)."""
    adapter = hub.adapter()
    try:
        entity = hub.case.first_entity
        said = adapter.page_records(entity)
        sizes = [len(page.records) for page in adapter.read(entity, since=None, resume=None)]
    finally:
        adapter.close()
    assert said > 0, f"{hub.case.id} sets its page size but does not say it"
    assert len(sizes) >= 3, sizes  # the case holds at least three pages
    assert max(sizes) <= said, (said, sizes)
    assert sizes[0] * 2 >= said, (said, sizes)
