"""A `toothpick worker` process in Redis mode, serving the memory vendor as HubSpot.

The task-queue tests start several of these (`python -m tests.support.queue_worker`)
on one SQLite file and one Redis namespace, from the environment the test sets.
Each process seeds its own MemoryVendor with the same contacts
(QUEUE_TEST_CONTACTS); QUEUE_TEST_PAGE_DELAY_S slows every page so a test can
kill a worker in the middle of a run; QUEUE_TEST_FAIL_READS makes every read fail as
transient. SIGTERM stops it like `toothpick worker`.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from adapters.base import RemotePage
from core.errors import TransientVendorError
from core.models import Entity
from core.service import IntegrationService
from core.taskqueue import serve
from core.worker import Worker
from tests.core.service_support import TOKEN
from tests.support.memory_vendor import MemoryAdapter, MemoryVendor, memory_system


def _drain_on(stop: threading.Event, runner: Worker) -> None:
    stop.wait()
    runner.drain()


def main() -> None:
    vendor = MemoryVendor()
    for n in range(int(os.environ.get("QUEUE_TEST_CONTACTS", "7"))):
        vendor.put(Entity.CONTACT, f"c{n}", {"first_name": f"F{n}", "last_name": f"L{n}"})
    if os.environ.get("QUEUE_TEST_FAIL_READS"):  # every read fails as a vendor outage would
        vendor.refuse_reads_with = TransientVendorError("the memory vendor is down", status=503)
    delay = float(os.environ.get("QUEUE_TEST_PAGE_DELAY_S", "0"))
    plain_read = MemoryAdapter.read

    def slow_read(
        self: MemoryAdapter,
        entity: Entity,
        *,
        since: datetime | None,
        resume: dict[str, Any] | None,
    ) -> Iterator[RemotePage]:
        for page in plain_read(self, entity, since=since, resume=resume):
            time.sleep(delay)
            yield page

    if delay:
        MemoryAdapter.read = slow_read  # type: ignore[method-assign]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stale_after = float(os.environ.get("QUEUE_TEST_STALE_AFTER_S", "60"))
    with memory_system(vendor, valid_token=TOKEN):
        service = IntegrationService.open()
        try:
            runner = Worker(
                service, stale_after_s=stale_after, heartbeat_interval_s=min(1.0, stale_after / 4)
            )
            print("ready", flush=True)
            # as `toothpick worker` does: SIGTERM hands the runs in flight back to the queue
            threading.Thread(target=_drain_on, args=(stop, runner), daemon=True).start()
            serve(service.settings, runner.run_by_id, stop, threads=1, busy=runner.busy)
        finally:
            service.close()


if __name__ == "__main__":
    main()
