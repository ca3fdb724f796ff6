"""A run whose worker dies is taken over: its counts and its log cover every attempt,
and the log says when and why it was taken over (which worker stopped, which took it)."""

from __future__ import annotations

import pytest

from core.models import Entity, LogLevel, RunState, SyncOptions
from core.service import IntegrationService
from core.store.queries import LogFilter
from core.worker import Worker
from tests.core.service_support import ORG, connect
from tests.support.memory_vendor import MemoryVendor, WorkerKilled

C = Entity.CONTACT


@pytest.fixture
def many(vendor: MemoryVendor) -> MemoryVendor:
    for n in range(8, 31):  # 30 contacts, 10 pages of 3
        vendor.put(C, f"c{n}", {"first_name": f"F{n}", "last_name": f"L{n}"})
    return vendor


def test_a_taken_over_run_counts_every_attempt_and_says_so(
    service: IntegrationService, many: MemoryVendor
) -> None:
    connection = connect(service)
    run = service.syncs.queue_sync(ORG, connection.id, SyncOptions(full=True))
    many.kill_on_page = 5
    first = Worker(service, worker_id="host-a:101", heartbeat_interval_s=60)
    with pytest.raises(WorkerKilled):
        first.run_by_id(run.id)
    killed = service.syncs.get_run(ORG, run.id)
    assert killed.state is RunState.RUNNING and killed.counts[C].created == 12  # 4 pages
    many.kill_on_page = None
    second = Worker(service, worker_id="host-b:202", stale_after_s=0)
    assert second.run_by_id(run.id)
    done = service.syncs.get_run(ORG, run.id)
    assert done.state is RunState.SUCCEEDED and done.attempt == 2
    assert done.counts[C].created == 30 and done.counts[C].read == 30
    assert done.counts[C].pages == 10
    logs = service.monitoring.logs(ORG, LogFilter(run_id=run.id)).items
    [takeover] = [e for e in logs if "taken over" in e.message]
    assert "worker host-b:202" in takeover.message and "worker host-a:101" in takeover.message
    assert "stopped beating (last heartbeat" in takeover.message
    assert takeover.level is LogLevel.WARNING
    assert takeover.metadata["taken_over_from"] == "host-a:101"
    assert takeover.metadata["last_heartbeat"] is not None
    [summary] = [e for e in logs if e.message.startswith("Sync succeeded")]
    assert "read 30, created 30" in summary.message
    assert summary.records_created == 30


def test_a_run_handed_back_resumes_without_a_takeover_story(
    service: IntegrationService, many: MemoryVendor
) -> None:
    connection = connect(service)
    run = service.syncs.queue_sync(ORG, connection.id, SyncOptions(full=True))
    worker = Worker(service, worker_id="host-a:101")
    assert worker.run_by_id(run.id)
    logs = service.monitoring.logs(ORG, LogFilter(run_id=run.id)).items
    assert not [e for e in logs if "Attempt" in e.message]  # a first attempt tells nothing
