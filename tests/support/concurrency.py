"""How many threads were inside a guard at once, for tests of limits on concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any


def most_at_once(
    guard: Callable[[], AbstractContextManager[Any]], *, threads: int, hold_s: float
) -> int:
    """Start `threads` threads that each enter `guard()` and stay `hold_s` seconds; the
    most that were inside together."""
    inside = peak = 0
    lock = threading.Lock()

    def enter() -> None:
        nonlocal inside, peak
        with guard():
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(hold_s)
            with lock:
                inside -= 1

    started = [threading.Thread(target=enter) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=10)
    return peak
