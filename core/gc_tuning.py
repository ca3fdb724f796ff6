"""Python's cycle collector set for a worker: young collections rarer, full ones rarer still.

A worker with runs in flight allocates a page's worth of dicts per vendor answer
(decoded JSON, mapped records, rows to store), and pages wait in the bounded queues
between fetching and storing long enough to outlive the young generations. With
CPython's default thresholds (700, 10, 10) that made a full collection, a walk over
every object in the process, every second or so: measured with
bench/throughput_bench.py (20 runs in flight, 1,000 records an entity) the collector
took 1.3 s of the worker's 8.3 s of CPU, 1.0 s of it in full collections. Almost
everything a sync allocates is freed by reference counting, not by the collector
(about 15,000 objects of cyclic garbage in that run), so collecting less often costs
no memory to speak of (the bench's peak RSS was the same) and saves most of that time.

Only the worker sets this (core.worker), once; a threshold already changed from
CPython's default (by the operator's own code) is left alone.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

DEFAULT = (700, 10, 10)  # CPython's own
WORKER = (20_000, 20, 10)  # a young collection per 20,000 allocations net of frees


def tune_collector() -> bool:
    """The worker's thresholds; False where they were already changed from the default."""
    if gc.get_threshold() != DEFAULT:
        return False
    gc.set_threshold(*WORKER)
    log.debug("gc: thresholds %s", WORKER)
    return True
