"""The line's stop signal: a waiter sleeps until it is served or stopped, never polling."""

from __future__ import annotations

import threading
import time

from core.small_first import SmallFirstSlots, StopSignal


def test_a_stop_signal_sets_what_watches_it_and_what_watches_it_later() -> None:
    stop = StopSignal()
    early, late, gone = threading.Event(), threading.Event(), threading.Event()
    stop.watch(early)
    stop.watch(gone)
    stop.unwatch(gone)
    stop.set()
    assert stop.is_set() and early.is_set() and not gone.is_set()
    stop.watch(late)  # already stopped: set at once
    assert late.is_set()


def test_a_waiter_stopped_after_it_was_served_keeps_its_slot() -> None:
    """A stop that comes as the slot is handed over does not lose the slot: the waiter
    says it was served, and whoever holds it gives it back."""
    slots = SmallFirstSlots(1, wait_per_record=0.0)
    assert slots.acquire()
    stop = StopSignal()
    answers: list[bool] = []
    waiter = threading.Thread(target=lambda: answers.append(slots.acquire(stop=stop)))
    waiter.start()
    while not slots.waiting:
        time.sleep(0.01)
    slots.release()  # served, then stopped, before the waiter wakes to look
    stop.set()
    waiter.join(timeout=5)
    assert answers == [True]
    assert slots.free == 0 and slots.waiting == 0


def test_a_waiter_that_times_out_leaves_the_line() -> None:
    slots = SmallFirstSlots(1, wait_per_record=0.0)
    assert slots.acquire()
    assert not slots.acquire(timeout=0.05, stop=StopSignal())
    assert slots.waiting == 0
    slots.release()
    assert slots.free == 1
