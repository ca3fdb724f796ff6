"""The outbox thread keeps calling, survives a failing round and stops when asked."""

from __future__ import annotations

import threading

from core.notify.dispatcher import Dispatcher


def test_the_dispatcher_survives_a_failing_round_and_stops() -> None:
    calls: list[int] = []
    third = threading.Event()

    def deliver_due() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("store briefly away")
        if len(calls) >= 3:
            third.set()
        return 0

    with Dispatcher(deliver_due, interval_s=0.01):
        assert third.wait(30)
    settled = len(calls)
    assert settled >= 3
