"""The worker's page budget: read-aheads wait for tokens, pages fetched ahead only take
spare ones (never the reserve, never while a read-ahead waits)."""

from __future__ import annotations

import threading
import time

import pytest

from core.page_budget import PageBudget
from core.small_first import StopSignal


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


class _Stream:
    """A read-ahead, as the budget sees it: something to keep account of."""


def _waiting(budget: PageBudget, count: int) -> None:
    deadline = time.monotonic() + 10
    while budget.waiting < count:
        assert time.monotonic() < deadline, "the waiters never came to the line"
        time.sleep(0.001)


def _wait_in_line(
    budget: PageBudget,
    records: int,
    served: list[int],
    *,
    weight: int = 1,
    stream: object = None,
) -> threading.Thread:
    def wait() -> None:
        assert budget.acquire(records=records, weight=weight, stream=stream, timeout=10)
        served.append(records)

    thread = threading.Thread(target=wait)
    thread.start()
    return thread


def test_a_small_page_goes_before_a_large_one_that_asked_first() -> None:
    """Seventy streams wait for the budget; served as they came, the rate-limited
    vendor's 100-record pages each waited behind every 1,000-record page."""
    budget = PageBudget(1_000, reserve=1_000)
    assert budget.acquire(weight=1_000)
    served: list[int] = []
    waiters = [_wait_in_line(budget, 1_000, served, weight=1_000, stream=_Stream())]
    _waiting(budget, 1)
    waiters.append(_wait_in_line(budget, 100, served, weight=100, stream=_Stream()))
    _waiting(budget, 2)
    budget.release(1_000)
    waiters[1].join(timeout=5)
    assert served == [100]  # and the large page waits for its 1,000 records
    budget.release(100)
    waiters[0].join(timeout=5)
    assert served == [100, 1_000]


def test_a_stream_of_large_pages_waits_only_until_a_small_one_has_had_as_many_records() -> None:
    """Fair queueing: each page served to a stream moves its tag on by the page's records,
    so a stream of small pages asking again and again goes first only until it has had
    about as many records as the large page waiting (here 9 pages of 10 before 100)."""
    budget = PageBudget(100, reserve=100)
    small, large = _Stream(), _Stream()
    assert budget.acquire(weight=95)  # a page being stored: its tag sets the clock at 95
    order: list[str] = []

    def large_stream() -> None:
        assert budget.acquire(weight=100, stream=large, timeout=10)  # tag 195
        order.append("large")
        budget.release(100)

    def small_stream() -> None:
        assert budget.acquire(weight=10, stream=small, timeout=10)  # tag 105
        order.append("small")
        held = True
        while "large" not in order:
            # its next page, asked for while its consumer stores the one before
            if budget.acquire(weight=10, stream=small, timeout=0.05):
                if held:
                    budget.release(10)
                order.append("small")
                held = True
            elif held:  # the consumer stored it meanwhile
                budget.release(10)
                held = False
        if held:
            budget.release(10)

    threads = [threading.Thread(target=large_stream)]
    threads[0].start()
    _waiting(budget, 1)
    threads.append(threading.Thread(target=small_stream))
    threads[1].start()
    _waiting(budget, 2)
    budget.release(95)
    for thread in threads:
        thread.join(timeout=10)
    assert order.index("large") == 9  # tags 105 to 185; 195 is the large page's, asked first
    assert budget.free == 100


def test_a_stopped_read_ahead_leaves_the_line_and_is_given_nothing() -> None:
    budget = PageBudget(1)
    assert budget.acquire()
    stop = StopSignal()
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


def test_a_page_takes_its_records_at_most_the_reserve_and_a_guess_before_its_first() -> None:
    budget = PageBudget(32_000)
    assert budget.reserve == 8_000
    assert budget.weight(100) == 100  # a HubSpot page takes a tenth of a 1,000-record one
    assert budget.weight(0) == 1_000  # a first page: its size is not known yet
    # never more than the reserve, so the first read-ahead in line always fits in the end
    assert budget.weight(50_000) == 8_000


def test_records_given_back_serve_every_small_page_that_fits() -> None:
    """A large page given back lets several small ones through at once: the rate-limited
    vendor's 100-record pages no longer wait for a page's worth each."""
    budget = PageBudget(1_000, reserve=500)
    assert budget.acquire(weight=500)
    assert budget.acquire(weight=500)
    served: list[int] = []
    waiters = [_wait_in_line(budget, 100, served, weight=100) for _ in range(5)]
    _waiting(budget, 5)
    budget.release(500)
    for waiter in waiters:
        waiter.join(timeout=5)
    assert served == [100] * 5
    assert budget.free == 0


def test_the_first_in_line_waits_for_its_whole_weight_and_nobody_goes_before_it() -> None:
    """Small pages fit where the first in line does not, but only until the line's clock
    reaches its place: then they wait behind it, and it is served once enough come back."""
    budget = PageBudget(1_000, reserve=1_000)
    assert budget.acquire(weight=800)  # the clock is at 800; 200 are free
    served: list[int] = []
    waiters = [_wait_in_line(budget, 600, served, weight=600)]  # its place: 800 + 600
    _waiting(budget, 1)
    small_pages = 0
    while budget.acquire(weight=100, timeout=0.2):  # each moves the clock on by 100
        small_pages += 1
        budget.release(100)
    assert small_pages == 5  # places 900 to 1,300; the sixth's is 1,400, as the first's
    waiters.append(_wait_in_line(budget, 100, served, weight=100))  # 200 are free, yet
    _waiting(budget, 2)
    time.sleep(0.1)
    assert served == []
    budget.release(800)  # enough for both now, the first in line first
    for waiter in waiters:
        waiter.join(timeout=5)
    assert sorted(served) == [100, 600]
    assert budget.free == 300


def test_a_waiter_leaving_the_head_of_the_line_lets_the_next_through() -> None:
    budget = PageBudget(1_000, reserve=1_000)
    assert budget.acquire(weight=900)
    stop = StopSignal()
    answers: list[bool] = []
    large = threading.Thread(target=lambda: answers.append(budget.acquire(weight=500, stop=stop)))
    large.start()
    _waiting(budget, 1)
    while budget.acquire(weight=100, timeout=0.2):  # until the clock reaches its place
        budget.release(100)
    served: list[int] = []
    small = _wait_in_line(budget, 100, served, weight=100)  # fits, but is second in line
    _waiting(budget, 2)
    stop.set()
    large.join(timeout=5)
    small.join(timeout=5)
    assert answers == [False]
    assert served == [100]


def test_spare_records_for_pages_fetched_ahead_leave_the_reserve() -> None:
    budget = PageBudget(1_000, reserve=400)
    assert budget.take_spare(500)
    assert not budget.take_spare(200)  # it would dip into the reserve
    assert budget.take_spare(100)
    assert budget.free == 400


def test_a_waiter_asking_for_more_than_the_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="slots"):
        PageBudget(100).acquire(weight=101)


def test_small_pages_have_records_of_their_own_and_never_wait_for_them() -> None:
    budget = PageBudget(1_000, small_page=100, small_pool=250)
    assert budget.acquire(weight=1_000)  # the line's records are all taken
    assert budget.take_small(100)
    assert budget.take_small(100)
    assert not budget.take_small(100)  # 50 left: the page joins the line instead
    assert not budget.take_small(101)  # not a small page
    budget.release_small(100)
    assert budget.take_small(100)
    for _ in range(2):
        budget.release_small(100)
    with pytest.raises(ValueError, match="twice"):
        budget.release_small(100)
    assert budget.free == 0  # the line's records were never touched
