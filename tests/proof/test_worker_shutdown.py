"""A worker process with several runs and entities in flight: SIGTERM hands every run back
at its last stored page, SIGKILL leaves them to be taken over; either way the next worker
resumes from the checkpoints and the store ends with the exact truth, nothing lost or
read twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.models import RunState, SyncOptions, SyncRun
from core.store.queries import LogFilter
from tests.proof.conftest import ORG, Hub
from tests.proof.test_sync_proofs import _assert_exact
from tests.proof.test_worker_kill import STALE_AFTER_S, _stop

ROOT = Path(__file__).resolve().parents[2]
IN_FLIGHT = {
    "TOOTHPICK_WORKER_RUNS_IN_FLIGHT": "4",
    "TOOTHPICK_ENTITIES_IN_FLIGHT": "4",
    "TOOTHPICK_PAGES_IN_FLIGHT": "3",
}


def _worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from core.cli import main; main()", "worker",
         "--poll-interval", "0.2", "--stale-after", str(STALE_AFTER_S)],
        cwd=ROOT,
        env={**os.environ, **IN_FLIGHT},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _slow_pages(hub: Hub) -> None:
    hub.sandbox.control.add_fault(
        {"system": hub.case.system.value, "tenant": hub.case.tenant, "op": "list",
         "kind": "slow", "delay_s": 0.6, "rate": 1.0}
    )  # fmt: skip


def _wait(hub: Hub, run_id: str, done: object, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not done(hub.service.syncs.get_run(ORG, run_id)):  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _check_counts(hub: Hub, run_id: str) -> None:
    done = hub.service.syncs.get_run(ORG, run_id)
    assert done.state is RunState.SUCCEEDED, done.error
    _assert_exact(hub)  # nothing lost
    store = hub.service.runtime.store
    for entity in hub.case.objects:  # nothing written twice: one version of each record
        truth = hub.truth(entity)
        assert done.counts[entity].created <= len(truth), entity
        for external_id in truth:
            history = store.record_history(ORG, hub.connection.id, entity, external_id)
            assert len(history) == 1, (entity, external_id, history)


@pytest.mark.slow
@pytest.mark.systems("sap", "hubspot")
def test_sigterm_hands_the_runs_back_and_the_next_worker_resumes_them(hub: Hub) -> None:
    _slow_pages(hub)
    run = hub.service.syncs.queue_sync(ORG, hub.connection.id, SyncOptions(full=True))
    first = _worker()
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait(hub, run.id, lambda r: r.progress.pages >= 2, "the first worker stored no pages")
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0  # it stops by itself, having handed the run back
        handed = hub.service.syncs.get_run(ORG, run.id)
        assert handed.state is RunState.QUEUED and handed.progress.worker_id is None
        assert handed.progress.pages >= 2  # what it stored stays stored
        hub.sandbox.control.clear_faults()
        second = _worker()
        _wait(hub, run.id, lambda r: r.state.is_finished, "the second worker never finished")
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
    assert hub.service.syncs.get_run(ORG, run.id).attempt == 2
    _check_counts(hub, run.id)
    messages = [e.message for e in hub.service.monitoring.logs(ORG, LogFilter(run_id=run.id)).items]
    assert any("shutting down" in m for m in messages)
    assert not any("taken over" in m for m in messages)  # a goodbye, not a takeover


def _entities_stored(count: int) -> Callable[[SyncRun], bool]:
    return lambda run: len([c for c in run.counts.values() if c.pages]) >= count


@pytest.mark.slow
@pytest.mark.systems("sap", "oracle", "odoo")
def test_a_killed_worker_with_entities_and_pages_in_flight_loses_and_repeats_nothing(
    hub: Hub,
) -> None:
    _slow_pages(hub)
    run = hub.service.syncs.queue_sync(ORG, hub.connection.id, SyncOptions(full=True))
    first = _worker()
    second: subprocess.Popen[bytes] | None = None
    try:
        # Killed once pages of two entities are stored (not merely two pages: one entity
        # can store two before another stores its first, on a loaded machine).
        _wait(hub, run.id, _entities_stored(2), "the first worker stored no two entities' pages")
        os.killpg(first.pid, signal.SIGKILL)  # mid-page on several entities at once
        first.wait(timeout=10)
        killed = hub.service.syncs.get_run(ORG, run.id)
        assert killed.state is RunState.RUNNING
        assert len([c for c in killed.counts.values() if c.pages]) >= 2  # entities together
        hub.sandbox.control.clear_faults()
        second = _worker()
        _wait(hub, run.id, lambda r: r.state.is_finished, "the run was never taken over")
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
    _check_counts(hub, run.id)
