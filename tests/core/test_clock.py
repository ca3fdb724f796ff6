from __future__ import annotations

import multiprocessing
import re
import time
from concurrent.futures import ThreadPoolExecutor

from core.clock import new_id


def _ids_in_child(count: int) -> list[str]:
    return [new_id() for _ in range(count)]


def test_ids_are_unique_across_threads_and_processes_and_time_ordered() -> None:
    with ThreadPoolExecutor(4) as pool:
        threaded = [i for chunk in pool.map(_ids_in_child, [2000] * 4) for i in chunk]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        forked = [i for chunk in pool.map(_ids_in_child, [2000] * 2) for i in chunk]
    everything = threaded + forked
    assert len(set(everything)) == len(everything)
    assert all(re.fullmatch(r"[0-9a-f]{26}", i) for i in everything)
    first = new_id()
    time.sleep(0.002)
    assert new_id() > first
