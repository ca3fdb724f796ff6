"""SQLite's heap bounded for a whole worker process: its many connections' caches together.

A worker with runs in flight opens a store connection per run and entity thread
(core.store.sqlite.db: one per thread), and each page cache fills to its own
`cache_size` with what its thread touched: measured with bench/throughput_bench.py
(20 runs in flight, 10,000 records an entity) SQLite held 70-80 MB of the worker's
240-280 MB. A soft heap limit makes SQLite reuse its least recently used cache
pages instead of growing past it; what it evicts is still in the operating
system's file cache. It is soft: a statement that needs more memory still gets it.

Only the worker sets it (core.worker.tune_process), from
TOOTHPICK_SQLITE_WORKER_HEAP_MIB; the limit belongs to the SQLite library the
process loaded, so it is harmless where the store is not SQLite.
"""

from __future__ import annotations

import sqlite3


def limit_heap(mib: int) -> None:
    """Bound SQLite's heap for this process at `mib` MiB (0 lifts the bound)."""
    connection = sqlite3.connect(":memory:")  # the limit is the library's, not this handle's
    try:
        connection.execute(f"PRAGMA soft_heap_limit = {int(mib) * 2**20}")
    finally:
        connection.close()
