"""The worker's page budget: read-aheads wait for tokens, pages fetched ahead only take
spare ones (never the reserve, never while a read-ahead waits)."""

from __future__ import annotations

import threading
import time

import pytest

from core.page_budget import PageBudget


def test_a_read_ahead_waits_for_a_token_given_back() -> None:
    budget = PageBudget(1)
    assert budget.acquire()
    assert not budget.acquire(timeout=0.05)
    threading.Timer(0.05, budget.release).start()
    assert budget.acquire(timeout=5)


def test_pages_fetched_ahead_never_take_the_reserve() -> None:
    budget = PageBudget(4, reserve=2)
    assert budget.take_spare()
    assert budget.take_spare()
    assert not budget.take_spare()  # the last two are the read-aheads'
    assert budget.acquire(blocking=False)
    assert budget.acquire(blocking=False)
    assert budget.free == 0


def test_no_spare_token_while_a_read_ahead_waits() -> None:
    budget = PageBudget(4, reserve=1)
    for _ in range(4):
        assert budget.acquire()
    waiter = threading.Thread(target=budget.acquire)
    waiter.start()
    while budget._waiting == 0:  # the read-ahead is waiting
        time.sleep(0.001)
    budget.release()
    waiter.join(timeout=5)
    assert not waiter.is_alive()  # the token went to the waiting read-ahead
    budget.release()
    budget.release()
    assert budget.free == 2
    assert budget.take_spare()  # nobody waits and one stays in reserve


def test_a_token_given_back_twice_is_refused() -> None:
    budget = PageBudget(2)
    assert budget.acquire()
    budget.release()
    with pytest.raises(ValueError, match="twice"):
        budget.release()


@pytest.mark.parametrize(("pages", "reserve"), [(0, None), (4, 0), (4, 5)])
def test_a_budget_needs_pages_and_a_reserve_within_them(pages: int, reserve: int | None) -> None:
    with pytest.raises(ValueError, match=r"a page budget needs|the reserve"):
        PageBudget(pages, reserve=reserve)


def test_the_default_reserve_is_a_quarter_and_at_least_one() -> None:
    assert PageBudget(32).reserve == 8
    assert PageBudget(1).reserve == 1
