"""The embedded worker: claims queued runs from the store and executes them.

Many workers (threads, processes, machines) may poll one store: the claim is
atomic, so a run goes to exactly one of them. One worker keeps up to
`runs_in_flight` runs going at once, each on its own thread: a run spends
almost all its time waiting on its vendor, so threads (not processes) are the
right size for it, and the vendor account's limiter bounds the calls. While a run executes, a
heartbeat thread beats every few seconds with the latest progress, even when
the engine is blocked in a slow vendor call or a rate-limit wait; a run whose
heartbeat stops (the worker was killed) is claimed again after
`stale_after_s` and resumes from its checkpoint. On SIGTERM (`drain`) every
run in flight stops at its next checkpoint (the page being fetched is stored
first) and goes back to the queue, to be resumed by the next worker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.clock import utcnow
from core.errors import FailureCategory, RunCancelledError, RunHandedBackError, RunLostError
from core.gc_tuning import tune_collector
from core.malloc import give_back, tune_for_threads
from core.models import Entity, EntityCounts, RunProgress, RunState, SyncRun
from core.schemas import RunOutcome
from core.service import IntegrationService
from core.sqlite_heap import limit_heap

log = logging.getLogger(__name__)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


@dataclass
class HeartbeatControl:
    """RunControl of one claimed run: the engine reports, a thread beats."""

    service: IntegrationService
    run: SyncRun
    worker_id: str
    interval_s: float = 5.0
    _progress: RunProgress = field(default_factory=RunProgress)
    _counts: dict[Entity, EntityCounts] = field(default_factory=dict)
    _cancelled: bool = False
    _lost: bool = False
    _handing_back: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _owner: str | None = None
    _watch: Callable[[], str | None] | None = None

    def __post_init__(self) -> None:
        self._owner = self.worker_id

    def start(self) -> None:
        self._thread = threading.Thread(target=self._beat_loop, name="run-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_s + 5)

    @property
    def counts(self) -> dict[Entity, EntityCounts]:
        """The counts last reported (what a crashed run had done)."""
        with self._lock:
            return dict(self._counts)

    def checkpoint(self, progress: RunProgress, counts: dict[Entity, EntityCounts]) -> None:
        with self._lock:
            self._progress, self._counts = progress, counts
        self._beat()  # progress after every page keeps the dashboard live
        if self._lost:
            raise RunLostError(f"run {self.run.id} was taken over by another worker")
        if self._cancelled:
            raise RunCancelledError(f"run {self.run.id} was cancelled")
        if self._handing_back:
            raise RunHandedBackError(f"run {self.run.id} goes back to the queue (shutdown)")

    def watch(self, waiting: Callable[[], str | None]) -> None:
        """Where to read what the run waits on at the vendor (shown with every beat, so a
        run stuck behind a 429 says so while it waits)."""
        self._watch = waiting

    def hand_back(self) -> None:
        """Stop at the next checkpoint and give the run back (the worker shuts down)."""
        self._handing_back = True

    def release(self) -> None:
        """The attempt ended here (any outcome): one last beat that names no worker, so
        whoever claims the run next resumes it rather than takes it over."""
        self._owner = None
        self._beat()

    def _beat(self) -> None:
        with self._lock:
            progress, counts = self._progress, dict(self._counts)
        waiting = self._watch() if self._watch is not None else None
        progress = progress.model_copy(
            update={"worker_id": self._owner, "reported_at": utcnow(), "waiting": waiting}
        )
        try:
            ack = self.service.syncs.heartbeat(
                self.run.id, self.worker_id, progress=progress, counts=counts
            )
        except Exception:  # a failed beat is retried on the next one; the run goes on
            log.warning("heartbeat of run %s failed", self.run.id, exc_info=True)
            return
        self._lost = self._lost or not ack.owned
        self._cancelled = self._cancelled or ack.cancel_requested

    def _beat_loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._beat()


def tune_process(sqlite_heap_mib: int = 0) -> None:
    """Set a worker process up once, before its run threads start, whichever way runs
    reach it (polled by `Worker.run_forever`, or Dramatiq messages to `run_by_id`):
    malloc arenas (core.malloc) and rarer collector walks over the pages in flight
    (core.gc_tuning). Without it a full sync took about 10-30 % more CPU per record
    (bench/pull_cpu_bench.py, with and without --untuned). `sqlite_heap_mib` bounds
    the page caches of the connections its threads open together (core.sqlite_heap)."""
    tune_for_threads()
    tune_collector()
    if sqlite_heap_mib:
        limit_heap(sqlite_heap_mib)


class Worker:
    def __init__(
        self,
        service: IntegrationService,
        *,
        worker_id: str | None = None,
        poll_interval_s: float = 0.5,  # a queued run waits at most this long for a worker
        heartbeat_interval_s: float = 5.0,
        stale_after_s: float = 60.0,
        runs_in_flight: int = 1,
        shutdown_grace_s: float = 60.0,
    ) -> None:
        self.service = service
        self.worker_id = worker_id or default_worker_id()
        self.poll_interval_s = poll_interval_s
        self.heartbeat_interval_s = heartbeat_interval_s
        self.stale_after_s = stale_after_s
        self.runs_in_flight = max(1, runs_in_flight)
        self.shutdown_grace_s = shutdown_grace_s
        self._controls: dict[str, HeartbeatControl] = {}
        self._lock = threading.Lock()
        self._draining = False

    def drain(self) -> None:
        """Shutting down: claim nothing more; every run in flight stops at its next
        checkpoint and goes back to the queue."""
        with self._lock:
            self._draining = True
            controls = list(self._controls.values())
        for control in controls:
            control.hand_back()

    def busy(self) -> bool:
        """A run is in flight on this worker (stopping waits for it to hand back)."""
        with self._lock:
            return bool(self._controls)

    def run_once(self) -> SyncRun | None:
        """Claim and execute at most one run; return it (as claimed) or None if idle."""
        run = self.service.syncs.claim_next_run(self.worker_id, stale_after_s=self.stale_after_s)
        if run is not None:
            self.execute(run)
        return run

    def run_by_id(self, run_id: str) -> bool:
        """Claim and execute one named run (inline CLI runs, task-queue messages)."""
        run = self.service.syncs.claim_run(run_id, self.worker_id, stale_after_s=self.stale_after_s)
        if run is None:
            return False
        self.execute(run)
        return True

    def execute(self, run: SyncRun) -> None:
        control = HeartbeatControl(
            self.service, run, self.worker_id, interval_s=self.heartbeat_interval_s
        )
        with self._lock:
            self._controls[run.id] = control
            if self._draining:
                control.hand_back()
        control.start()
        log.info("worker %s runs %s (attempt %d)", self.worker_id, run.id, run.attempt)
        try:
            outcome = self.service.syncs.execute_claimed_run(run, control)
        except RunLostError:
            log.warning("run %s was taken over by another worker; leaving it", run.id)
            control.stop()
            return
        except RunHandedBackError:
            log.info("run %s goes back to the queue at its last checkpoint", run.id)
            control.stop()
            control.release()
            self.service.syncs.hand_back(run, self.worker_id, control.counts)
            return
        except Exception as exc:  # our bug: the run fails with a message, the worker lives on
            log.exception("run %s crashed", run.id)
            outcome = RunOutcome(
                state=RunState.FAILED,
                counts=control.counts,
                error=f"Internal error: {type(exc).__name__}. The log has the details.",
                error_category=FailureCategory.INTERNAL,
            )
        finally:
            control.stop()
            with self._lock:
                self._controls.pop(run.id, None)
        control.release()
        self.service.syncs.record_outcome(run, self.worker_id, outcome)

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Poll for runs until `stop`, up to `runs_in_flight` at once; then drain."""
        stop = stop or threading.Event()
        tune_process(self.service.settings.sqlite_worker_heap_mib)
        slots = threading.BoundedSemaphore(self.runs_in_flight)
        threads: list[threading.Thread] = []
        log.info("worker %s polling for runs (%d at once)", self.worker_id, self.runs_in_flight)
        while not stop.is_set():
            if not slots.acquire(timeout=self.poll_interval_s):
                continue  # every slot busy
            try:
                run = self.service.syncs.claim_next_run(
                    self.worker_id, stale_after_s=self.stale_after_s
                )
            except Exception:
                log.exception("worker loop error; retrying")
                run = None
            if run is None:
                slots.release()
                stop.wait(self.poll_interval_s)
                continue
            thread = threading.Thread(
                target=self._execute_in_slot, args=(run, slots), name=f"run-{run.id[-8:]}"
            )
            thread.start()
            threads = [t for t in threads if t.is_alive()] + [thread]
        self.drain()
        deadline = time.monotonic() + self.shutdown_grace_s
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def _execute_in_slot(self, run: SyncRun, slots: threading.BoundedSemaphore) -> None:
        try:
            self.execute(run)
        except Exception:  # recording the outcome failed: the heartbeat goes stale, resumed
            log.exception("worker could not finish run %s", run.id)
        finally:
            give_back()  # what the run freed goes back to the system (core.malloc)
            slots.release()
