"""Killing the worker process mid-run: another worker takes the run over when its
heartbeat goes stale, resumes from the checkpoint, and ends with the exact truth."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.models import RunState, SyncOptions
from core.store.queries import LogFilter
from tests.proof.conftest import ORG, Hub
from tests.proof.test_sync_proofs import _assert_exact

ROOT = Path(__file__).resolve().parents[2]
STALE_AFTER_S = 5


def _worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from core.cli import main; main()", "worker",
         "--poll-interval", "0.2", "--stale-after", str(STALE_AFTER_S)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_a_killed_worker_run_is_taken_over_and_completes(hub: Hub) -> None:
    case, control = hub.case, hub.sandbox.control
    control.add_fault(  # slow pages, so the kill lands mid-run
        {"system": case.system.value, "tenant": case.tenant, "op": "list",
         "kind": "slow", "delay_s": 0.7, "rate": 1.0}
    )  # fmt: skip
    run = hub.service.syncs.queue_sync(ORG, hub.connection.id, SyncOptions(full=True))
    first = _worker()
    second: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 60
        while hub.service.syncs.get_run(ORG, run.id).progress.pages < 1:
            assert time.monotonic() < deadline, "the first worker never stored a page"
            assert first.poll() is None, "the first worker died on its own"
            time.sleep(0.1)
        os.killpg(first.pid, signal.SIGKILL)  # no goodbye: heartbeat just stops
        first.wait(timeout=10)
        killed_at = hub.service.syncs.get_run(ORG, run.id)
        assert killed_at.state is RunState.RUNNING
        control.clear_faults()
        second = _worker()
        deadline = time.monotonic() + 90
        while not hub.service.syncs.get_run(ORG, run.id).state.is_finished:
            assert time.monotonic() < deadline, "the run was never finished by the second worker"
            time.sleep(0.2)
        done = hub.service.syncs.get_run(ORG, run.id)
        assert done.state is RunState.SUCCEEDED, done.error
        assert done.attempt == 2
        assert done.worker_id != killed_at.worker_id
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
    _assert_exact(hub)
    # Its counts and its log cover both attempts, and the log tells the takeover.
    first_entity = hub.case.first_entity
    assert done.counts[first_entity].created == len(hub.truth(first_entity))
    logs = hub.service.monitoring.logs(ORG, LogFilter(run_id=run.id)).items
    [takeover] = [e for e in logs if "taken over" in e.message]
    assert f"worker {killed_at.worker_id} stopped beating" in takeover.message
    assert f"taken over by worker {done.worker_id}" in takeover.message
