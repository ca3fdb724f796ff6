"""A vendor that answers 429 despite the budget, or slows to seconds per page: the run
backs off as the vendor's Retry-After says, its progress says what it waits on and why
while it waits, and it ends with the exact truth."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from core.models import RunState, SyncOptions
from core.worker import Worker
from tests.proof.conftest import ORG, Hub
from tests.proof.test_sync_proofs import _assert_exact


def _sync_watching(hub: Hub) -> tuple[Any, set[str]]:
    """A full sync on a worker thread; every `progress.waiting` seen while it runs."""
    run = hub.service.syncs.queue_sync(ORG, hub.connection.id, SyncOptions(full=True))
    worker = Worker(hub.service, worker_id="waits-worker", heartbeat_interval_s=0.1)
    thread = threading.Thread(target=worker.run_by_id, args=(run.id,))
    thread.start()
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while thread.is_alive():
        assert time.monotonic() < deadline, "the run never finished"
        waiting = hub.service.syncs.get_run(ORG, run.id).progress.waiting
        if waiting:
            seen.add(waiting)
        time.sleep(0.05)
    thread.join()
    return hub.service.syncs.get_run(ORG, run.id), seen


@pytest.mark.systems("hubspot")
def test_a_429_despite_the_budget_is_waited_out_and_shown(hub: Hub) -> None:
    hub.sandbox.control.add_fault(
        {"system": "hubspot", "tenant": hub.case.tenant, "op": "list",
         "sequence": ["ok", {"kind": "rate_limited", "retry_after_s": 2}]}
    )  # fmt: skip
    run, seen = _sync_watching(hub)
    assert run.state is RunState.SUCCEEDED, run.error
    assert any("answered 429" in s and "Retry-After 2 s" in s for s in seen), seen
    assert sum(c.retries for c in run.counts.values()) >= 1
    assert sum(c.rate_limit_wait_s for c in run.counts.values()) >= 1.5  # it really waited
    assert hub.service.syncs.get_run(ORG, run.id).progress.waiting is None  # over now
    _assert_exact(hub)


@pytest.mark.systems("sap")
def test_a_vendor_slowing_to_seconds_per_page_is_shown_and_nothing_is_lost(hub: Hub) -> None:
    hub.sandbox.control.add_fault(
        {"system": "sap", "tenant": hub.case.tenant, "op": "list",
         "sequence": ["ok", {"kind": "slow", "delay_s": 2.6}]}
    )  # fmt: skip
    run, seen = _sync_watching(hub)
    assert run.state is RunState.SUCCEEDED, run.error
    assert any(s.startswith("Waiting on SAP") and "no answer for" in s for s in seen), seen
    _assert_exact(hub)
