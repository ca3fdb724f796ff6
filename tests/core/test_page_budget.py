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
    while budget.waiting == 0:  # the read-ahead is waiting
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


def _waiting(budget: PageBudget, count: int) -> None:
    while budget.waiting < count:
        time.sleep(0.001)


def _wait_in_line(budget: PageBudget, records: int, served: list[int]) -> threading.Thread:
    def wait() -> None:
        assert budget.acquire(records=records, timeout=10)
        served.append(records)

    thread = threading.Thread(target=wait)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("wait_per_record", "then", "order"),
    [
        # a small page asking just after a large one goes first: seventy streams wait for
        # about ten tokens a second, and served as they came, the rate-limited vendor's
        # 100-record pages each waited behind every 1,000-record page
        (0.01, 0.0, [100, 1000]),
        # a large page is held back for a bounded time only: 1,000 records here are 0.1 s
        (0.0001, 0.2, [1000, 100]),
    ],
    ids=["small-first", "large-not-starved"],
)
def test_tokens_go_to_small_pages_first_and_to_large_ones_in_bounded_time(
    wait_per_record: float, then: float, order: list[int]
) -> None:
    budget = PageBudget(1, wait_per_record=wait_per_record)
    assert budget.acquire()
    served: list[int] = []
    waiters = [_wait_in_line(budget, 1000, served)]
    _waiting(budget, 1)
    time.sleep(then)
    waiters.append(_wait_in_line(budget, 100, served))
    _waiting(budget, 2)
    for count in (1, 2):
        budget.release()
        deadline = time.monotonic() + 5
        while len(served) < count and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(0.05)  # no second token went out meanwhile
        assert served == order[:count]
    for waiter in waiters:
        waiter.join(timeout=5)


def test_a_stopped_read_ahead_leaves_the_line_and_is_given_nothing() -> None:
    budget = PageBudget(1)
    assert budget.acquire()
    stop = threading.Event()
    answers: list[bool] = []
    waiter = threading.Thread(target=lambda: answers.append(budget.acquire(stop=stop)))
    waiter.start()
    _waiting(budget, 1)
    stop.set()
    waiter.join(timeout=5)
    assert answers == [False]
    budget.release()  # nobody is waiting any more: the token is free again
    assert budget.free == 1
    assert budget.acquire(blocking=False)
