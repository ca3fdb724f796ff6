"""glibc's malloc set for a worker's many threads: two arenas, large buffers mapped.

A worker with runs in flight keeps a couple of hundred threads (runs, entities,
pages fetched ahead). glibc gives threads that allocate at the same time arenas of
their own, up to eight per core, and memory freed in one arena serves only the
threads using it, so the process grows with its thread count. And glibc's mmap
threshold adapts upwards: once a large buffer (a page's body, a few hundred KB) has
been freed, later ones come from the arenas, where they fragment them. Measured with
bench/throughput_bench.py --profile rss (20 runs in flight): the arenas held 90-130 MB
by default, 30-40 MB with two arenas and a fixed threshold.

Only the worker sets this (core.worker), once, before its run threads start. The
operator's own MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ win; elsewhere than glibc
it is a no-op. After each run the worker hands free arena pages back to the system
(`give_back`, malloc_trim): glibc keeps them otherwise, and the next runs' peaks add
to what the last ones left.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform

log = logging.getLogger(__name__)

# mallopt parameters (glibc's malloc.h)
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # glibc's starting value, no longer raised by frees


def tune_for_threads() -> bool:
    """Two arenas and a fixed mmap threshold; False where nothing was set (not glibc,
    or the operator chose through the environment)."""
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    done = False
    if "MALLOC_ARENA_MAX" not in os.environ:
        done = bool(mallopt(M_ARENA_MAX, ARENAS)) or done
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) or done
    if done:
        log.debug("malloc: %d arenas, mmap threshold %d bytes", ARENAS, MMAP_THRESHOLD)
    return done


def give_back() -> None:
    """Return the arenas' free pages to the system (glibc's malloc_trim; a few ms)."""
    if platform.libc_ver()[0] != "glibc":
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        return
