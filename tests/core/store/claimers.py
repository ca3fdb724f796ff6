"""Worker loops for the concurrent-claim tests, importable by spawned child processes.

Each loop claims runs until none is left and reports what it got; a run that
two workers both received would show up twice in the union of the reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier as ProcessBarrier

from core.clock import utcnow
from core.store.base import Store

STALE = timedelta(minutes=5)
MAX_CLAIMS = 500  # far above any test's run count: a store that keeps handing out runs fails


def claim_all(store: Store, worker_id: str) -> list[str]:
    claimed: list[str] = []
    while len(claimed) < MAX_CLAIMS:
        now = utcnow()
        run = store.claim_next_run(worker_id, now=now, stale_before=now - STALE)
        if run is None:
            return claimed
        if run.worker_id != worker_id:
            raise AssertionError(f"{worker_id} was handed a run owned by {run.worker_id}")
        claimed.append(run.id)
    raise AssertionError(f"{worker_id} claimed {MAX_CLAIMS} runs: runs are being handed out again")


def claim_in_thread(
    store: Store, worker_id: str, start: threading.Barrier, results: dict[str, list[str]]
) -> None:
    start.wait()
    results[worker_id] = claim_all(store, worker_id)


def claim_in_process(
    opener: Callable[[], Store],
    worker_id: str,
    start: ProcessBarrier,
    results: Queue[tuple[str, list[str] | str]],
) -> None:
    """Child-process entry point: its own Store handle, as a real worker process has."""
    store = opener()
    try:
        start.wait()
        results.put((worker_id, claim_all(store, worker_id)))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((worker_id, f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()
