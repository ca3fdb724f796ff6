"""Queued runs through worker processes: throughput, scaling, and queued-to-started delay.

    .venv/bin/python bench/queue_bench.py                      # 1,000 runs, 1/2/4 workers
    .venv/bin/python bench/queue_bench.py --runs 200 --workers 1 2 --modes redis

For each mode (embedded: workers poll the SQLite store; redis: Dramatiq messages
on the machine's Redis, a namespace per leg) and each worker count:

1. throughput: --runs connections, one small run each (the memory vendor serves
   7 contacts as HubSpot, so the queue and the store are what is measured),
   all queued at once; runs per second from the first queue_sync to the last
   finish; scaling = throughput(N) / throughput(1).
2. delay: with idle workers, --delay-runs runs queued one at a time, 0.05-1.05 s apart;
   started_at - created_at, median and p95 (embedded: `toothpick worker`'s
   default 0.5 s poll; Redis: the message wakes a worker).

Workers are child processes (this file with --serve) on one SQLite file;
QUEUE_BENCH_PROFILE=<file> writes an embedded worker's cProfile there.
Results are printed and written to bench/results/queue_<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.models import Entity, RunState, SyncRun  # noqa: E402
from core.service import IntegrationService  # noqa: E402
from tests.core.service_support import ORG, TOKEN, connect  # noqa: E402
from tests.support.memory_vendor import MemoryVendor, memory_system  # noqa: E402

RESULTS = ROOT / "bench" / "results"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _vendor() -> MemoryVendor:
    vendor = MemoryVendor()
    for n in range(7):
        vendor.put(Entity.CONTACT, f"c{n}", {"first_name": f"F{n}", "last_name": f"L{n}"})
    return vendor


def serve() -> None:
    """One worker process: embedded polling, or Dramatiq when REDIS_URL is set."""
    from core.taskqueue import serve as serve_redis
    from core.worker import Worker

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with memory_system(_vendor(), valid_token=TOKEN):
        service = IntegrationService.open()
        try:
            poll = float(os.environ.get("QUEUE_BENCH_POLL_S", "0.5"))  # toothpick worker's
            worker = Worker(service, poll_interval_s=poll)
            print("ready", flush=True)
            if os.environ.get("QUEUE_BENCH_PROFILE"):
                import cProfile

                profile = cProfile.Profile()
                profile.enable()
                worker.run_forever(stop)
                profile.disable()
                profile.dump_stats(os.environ["QUEUE_BENCH_PROFILE"])
            elif service.settings.redis_url is None:
                worker.run_forever(stop)
            else:
                serve_redis(service.settings, worker.run_by_id, stop, threads=1)
        finally:
            service.close()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Leg:
    """One mode and worker count: its own data directory and Redis namespace."""

    def __init__(self, mode: str, workers: int, base: Path) -> None:
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TOOTHPICK_DATA_DIR": str(base / f"{mode}-{workers}"),
            "TOOTHPICK_ENV": "test",
        }
        self.env.pop("REDIS_URL", None)
        if mode == "redis":
            self.env["REDIS_URL"] = REDIS_URL
            self.env["TOOTHPICK_QUEUE_NAMESPACE"] = f"tp-bench-{uuid.uuid4().hex[:10]}"
        self.workers = workers
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Leg:
        os.environ.update(self.env)
        if "REDIS_URL" not in self.env:
            os.environ.pop("REDIS_URL", None)
        return self

    def start_workers(self) -> None:
        for _ in range(self.workers):
            process = subprocess.Popen(
                [sys.executable, __file__, "--serve"], env=self.env, stdout=subprocess.PIPE
            )
            assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
            self.processes.append(process)

    def __exit__(self, *_: object) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        namespace = self.env.get("TOOTHPICK_QUEUE_NAMESPACE")
        if namespace:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(match=f"{namespace}*"):
                client.delete(key)


def _wait_finished(service: IntegrationService, ids: list[str], bound_s: float) -> list[SyncRun]:
    """Runs finish roughly in queue order: look at the oldest unfinished only, so that
    this process's polling does not compete with the workers for the store."""
    deadline = time.monotonic() + bound_s
    pending = list(ids)
    while pending:
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(pending)} runs did not finish in {bound_s:.0f} s")
        while pending and service.syncs.get_run(ORG, pending[0]).state.is_finished:
            pending.pop(0)
        if pending:
            time.sleep(0.02 if len(ids) == 1 else 0.2)
    return [service.syncs.get_run(ORG, run_id) for run_id in ids]


def measure(mode: str, workers: int, runs: int, delay_runs: int, base: Path) -> dict[str, Any]:
    with Leg(mode, workers, base) as leg, memory_system(_vendor(), valid_token=TOKEN):
        service = IntegrationService.open()
        try:
            connections = [connect(service, f"crm {n}").id for n in range(runs)]
            leg.start_workers()
            started = time.perf_counter()
            ids = [service.syncs.queue_sync(ORG, cid).id for cid in connections]
            done = _wait_finished(service, ids, bound_s=3600)
            elapsed = time.perf_counter() - started
            failed = [r for r in done if r.state is not RunState.SUCCEEDED]
            assert not failed, failed[0].error
            delays = []
            for cid in connections[:delay_runs]:  # idle workers now; one run at a time
                run = service.syncs.queue_sync(ORG, cid)
                (finished,) = _wait_finished(service, [run.id], bound_s=60)
                assert finished.started_at is not None
                delays.append((finished.started_at - finished.created_at).total_seconds())
                time.sleep(random.uniform(0.05, 1.05))  # any phase of the poll
        finally:
            service.close()
    return {
        "mode": mode,
        "workers": workers,
        "runs": runs,
        "seconds": round(elapsed, 2),
        "runs_per_s": round(runs / elapsed, 1),
        "delay_median_ms": round(statistics.median(delays) * 1000, 1),
        "delay_p95_ms": round(_percentile(delays, 0.95) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--delay-runs", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--modes", nargs="+", default=["embedded", "redis"])
    parser.add_argument(
        "--poll-interval", type=float, default=0.5, help="embedded workers' poll (s)"
    )
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    os.environ["QUEUE_BENCH_POLL_S"] = str(args.poll_interval)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tp-queue-bench-") as base:
        for mode in args.modes:
            for workers in args.workers:
                result = measure(mode, workers, args.runs, args.delay_runs, Path(base))
                one = next(r for r in results if r["mode"] == mode) if workers > 1 else result
                result["scaling"] = round(result["runs_per_s"] / one["runs_per_s"], 2)
                results.append(result)
                print(json.dumps(result), flush=True)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"queue_{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps({"cpus": os.cpu_count(), "legs": results}, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
