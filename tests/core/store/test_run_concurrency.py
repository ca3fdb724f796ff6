"""Contract: many workers claiming at once never share a run (threads and processes).

Every run is claimed exactly once: the union of what the workers received is
the set of queued runs, with no run twice. The process test uses `spawn`, so
each worker is a fresh interpreter with its own Store handle, like the
scheduler's worker and any scaled-out worker process.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

from core.models import System
from core.store.base import Store
from tests.core.store.builders import at, connection, run
from tests.core.store.claimers import claim_in_process, claim_in_thread
from tests.core.store.conftest import StoreOpener

SYSTEMS = list(System)


def queue_runs(store: Store, count: int) -> set[str]:
    """One queued run per connection (the one-active-run rule allows no more)."""
    ids = set()
    for n in range(count):
        conn = store.create_connection(connection(name=f"conn-{n:03d}", system=SYSTEMS[n % 7]))
        ids.add(store.create_run(run(conn, at(seconds=n))).id)
    return ids


def assert_each_claimed_once(queued: set[str], reports: list[list[str]]) -> None:
    claimed = [run_id for report in reports for run_id in report]
    assert [run_id for run_id, n in Counter(claimed).items() if n > 1] == []
    assert set(claimed) == queued


def test_threads_sharing_one_store_never_claim_the_same_run(store: Store) -> None:
    queued = queue_runs(store, 30)
    workers = 6
    start = threading.Barrier(workers)
    results: dict[str, list[str]] = {}
    threads = [
        threading.Thread(target=claim_in_thread, args=(store, f"t{n}", start, results))
        for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [f"t{n}" for n in range(workers)]
    assert_each_claimed_once(queued, list(results.values()))


def test_processes_never_claim_the_same_run(store_opener: StoreOpener) -> None:
    parent = store_opener()
    try:
        queued = queue_runs(parent, 40)
    finally:
        parent.close()
    context = multiprocessing.get_context("spawn")
    workers = 4
    start = context.Barrier(workers)
    results = context.Queue()
    processes = [
        context.Process(target=claim_in_process, args=(store_opener, f"p{n}", start, results))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    reports = dict(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=30)

    failures = {worker: report for worker, report in reports.items() if isinstance(report, str)}
    assert failures == {}
    assert sorted(reports) == [f"p{n}" for n in range(workers)]
    assert_each_claimed_once(queued, [r for r in reports.values() if isinstance(r, list)])
