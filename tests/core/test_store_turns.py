"""Pages stored in turns: no more at once than the turns, the smallest page first, and a
large page never starved by small ones asking after its place has come."""

from __future__ import annotations

import threading
import time

import pytest

from core.store_turns import WAIT_PER_RECORD, StoreTurns
from tests.support.concurrency import most_at_once


def _queued(turns: StoreTurns, count: int) -> None:
    deadline = time.monotonic() + 5
    assert turns.line is not None
    while turns.line.waiting < count:
        assert time.monotonic() < deadline, "the page did not queue for its turn"
        time.sleep(0.001)


def _store_in_turn(turns: StoreTurns, records: int, served: list[int]) -> threading.Thread:
    def store() -> None:
        with turns.turn(records):
            served.append(records)

    thread = threading.Thread(target=store)
    thread.start()
    return thread


def test_no_more_pages_are_stored_at_once_than_the_turns() -> None:
    turns = StoreTurns(2)
    assert most_at_once(lambda: turns.turn(10), threads=12, hold_s=0.005) == 2
    assert turns.line is not None
    assert turns.line.free == 2 and not turns.line.waiting


def test_the_smallest_page_waiting_goes_first() -> None:
    turns = StoreTurns(1)
    served: list[int] = []
    with turns.turn(1):
        threads = []
        for count, records in enumerate((1000, 500, 100), start=1):
            threads.append(_store_in_turn(turns, records, served))
            _queued(turns, count)
    for thread in threads:
        thread.join(timeout=5)
    assert served == [100, 500, 1000]


def test_a_large_page_goes_before_small_ones_that_ask_after_its_place() -> None:
    turns = StoreTurns(1)
    served: list[int] = []
    with turns.turn(1):
        large = _store_in_turn(turns, 1000, served)
        _queued(turns, 1)
        time.sleep(1000 * WAIT_PER_RECORD + 0.05)  # its place in the queue has come
        small = _store_in_turn(turns, 10, served)
        _queued(turns, 2)
    large.join(timeout=5)
    small.join(timeout=5)
    assert served == [1000, 10]


def test_without_turns_every_page_is_stored_at_once() -> None:
    turns = StoreTurns(0)
    with turns.turn(10), turns.turn(10):  # nobody waits
        pass


def test_turns_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        StoreTurns(-1)
