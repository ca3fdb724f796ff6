"""Runs travel as Dramatiq messages on Redis when REDIS_URL is set (why Dramatiq: docs/queue.md).

A message carries a run id and nothing else; the store stays the truth. The
worker that receives it claims the run atomically (`service.syncs.claim_run`)
and does nothing when it cannot (another worker holds it, or it is finished),
so a duplicated message never runs a connection twice at once. A lost message
never loses a run: `SyncService.republish_due` (the scheduler calls it every
15 s) publishes again every queued run past a grace period, every paused run
whose time came and every running run whose heartbeat went stale.

    queue = RunQueue.from_settings(settings)   # producer side (Runtime does this)
    queue.publish(run.id)
    serve(settings, worker.run_by_id, stop)    # `toothpick worker` with REDIS_URL set
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from core.errors import ConfigError
from core.settings import Settings

log = logging.getLogger(__name__)

QUEUE = "toothpick_runs"
ACTOR = "execute_run"
# Dramatiq's own time limit would interrupt a long sync; the heartbeat is our limit.
TIME_LIMIT_MS = 7 * 24 * 3600 * 1000
IDLE_POLL_MS = 100
ACK_GRACE_MS = 5_000  # stopping, once no run is in flight: acknowledgements only

# The executor of this process (`serve` sets it): the actor calls it with a run id.
# Module state because Dramatiq actors are functions looked up by name.
_executor: Callable[[str], object] | None = None


def _execute_run(run_id: str) -> None:
    if _executor is None:  # a producer-only process never consumes
        raise RuntimeError("this process serves no runs")
    _executor(run_id)


class RunQueue:
    def __init__(self, redis_url: str, *, namespace: str) -> None:
        # Imported here: only with REDIS_URL. Dramatiq and redis-py cost every process that
        # imports this module (every worker, through core.runtime) about 25 MB resident.
        import dramatiq
        from dramatiq.brokers.redis import RedisBroker

        self.broker = RedisBroker(url=redis_url, namespace=namespace)  # type: ignore[no-untyped-call]
        declare = dramatiq.actor(
            broker=self.broker,
            actor_name=ACTOR,
            queue_name=QUEUE,
            max_retries=0,  # retries are the store's: a stale run is republished and resumed
            time_limit=TIME_LIMIT_MS,
        )
        self._actor = declare(_execute_run)

    @classmethod
    def from_settings(cls, settings: Settings) -> RunQueue | None:
        if settings.redis_url is None:
            return None
        return cls(settings.redis_url.get_secret_value(), namespace=settings.queue_namespace)

    def publish(self, run_id: str, *, delay_s: float = 0.0) -> None:
        """Send one message; raises ConfigError naming REDIS_URL when Redis is unreachable."""
        delay = int(delay_s * 1000) if delay_s > 0 else None
        try:
            self._actor.send_with_options(args=(run_id,), delay=delay)
        except Exception as exc:  # redis-py raises ConnectionError / TimeoutError subclasses
            raise ConfigError(
                f"REDIS_URL: could not queue run {run_id} on Redis ({type(exc).__name__})"
            ) from None

    def depth(self) -> int:
        """Messages waiting (immediate queue) — for `toothpick status`."""
        client = self.broker.client
        return int(client.llen(f"{self.broker.namespace}:{QUEUE}"))

    def close(self) -> None:
        self.broker.close()


def serve(
    settings: Settings,
    execute: Callable[[str], object],
    stop: threading.Event,
    *,
    threads: int = 1,
    busy: Callable[[], bool] = lambda: False,
    grace_s: float = 60.0,
) -> None:
    """Consume run messages until `stop` is set; each is handed to `execute(run_id)`.

    Stopping waits up to `grace_s` while `busy()` (runs in flight reach a checkpoint and
    go back to the queue, or finish), then gives dramatiq a few seconds: all that is left
    is acknowledging messages, and a Redis that died would have dramatiq retry an
    acknowledgement until its own timeout. An unacknowledged message is delivered again
    later and finds its run finished or queued in the store: no run is executed twice."""
    global _executor
    queue = RunQueue.from_settings(settings)
    if queue is None:
        raise ConfigError("REDIS_URL: not set; `toothpick worker` polls the store instead")
    _executor = execute
    import dramatiq  # loaded by RunQueue already

    # an idle consumer polls Redis with a backoff up to worker_timeout: 100 ms, not 1 s,
    # keeps a queued run from waiting up to a second for an idle worker to look
    worker = dramatiq.Worker(
        queue.broker, queues={QUEUE}, worker_threads=threads, worker_timeout=IDLE_POLL_MS
    )
    worker.start()
    log.info("worker consuming %s on Redis (namespace %s)", QUEUE, settings.queue_namespace)
    try:
        stop.wait()
    finally:
        deadline = time.monotonic() + grace_s
        while busy() and time.monotonic() < deadline:
            time.sleep(0.1)
        worker.stop(timeout=ACK_GRACE_MS)
        queue.close()
        _executor = None
