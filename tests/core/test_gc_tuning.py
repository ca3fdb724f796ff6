"""The worker's collector thresholds: set over CPython's default, left alone otherwise."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from core.gc_tuning import DEFAULT, WORKER, tune_collector


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
