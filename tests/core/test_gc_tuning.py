"""A worker process's tuning: collector thresholds set over CPython's default (left alone
otherwise), and one bound on SQLite's caches."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator

import pytest

from core.gc_tuning import DEFAULT, WORKER, tune_collector
from core.sqlite_heap import limit_heap


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("thresholds")
def test_the_worker_raises_the_default_thresholds() -> None:
    gc.set_threshold(*DEFAULT)
    assert tune_collector() is True
    assert gc.get_threshold() == WORKER


@pytest.mark.usefixtures("thresholds")
def test_thresholds_already_chosen_are_kept() -> None:
    gc.set_threshold(5000, 10, 10)
    assert tune_collector() is False
    assert gc.get_threshold() == (5000, 10, 10)


@pytest.mark.usefixtures("thresholds")
def test_a_worker_process_is_tuned_however_its_runs_arrive() -> None:
    from core.worker import tune_process

    gc.set_threshold(*DEFAULT)
    tune_process()
    assert gc.get_threshold() == WORKER


def _sqlite_heap_limit() -> int:
    connection = sqlite3.connect(":memory:")
    try:
        return int(connection.execute("PRAGMA soft_heap_limit").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
def sqlite_heap() -> Iterator[None]:
    before = _sqlite_heap_limit()
    yield
    limit_heap(before // 2**20)


@pytest.mark.usefixtures("thresholds", "sqlite_heap")
def test_a_worker_process_bounds_sqlites_caches_together() -> None:
    """One bound for the process: every connection a run or entity thread opens shares it."""
    from core.worker import tune_process

    limit_heap(0)
    tune_process(sqlite_heap_mib=16)
    assert _sqlite_heap_limit() == 16 * 2**20
    tune_process(sqlite_heap_mib=0)  # 0: left as it was
    assert _sqlite_heap_limit() == 16 * 2**20
