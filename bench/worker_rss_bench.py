"""Resident memory of a real `toothpick worker` process with runs in flight (issue 16).

    .venv/bin/python bench/worker_rss_bench.py                        # 1, 5, 10, 20 in flight
    .venv/bin/python bench/worker_rss_bench.py --in-flight 20 --in-process

bench/throughput_bench.py reads its worker's peak from inside a bench child, which
also holds the bench's own set-up (the proof cases, the sandbox control, the job):
its figure is the worker plus that harness. Here the worker is the process a user
starts (`toothpick worker`, as `toothpick up` starts it) and its memory is read from
outside, in /proc/<pid>/status, ten times a second: VmRSS idle (polling an empty
queue), the peak (VmHWM) while it drains the twenty connections of the throughput
bench with `--in-flight` runs at once, and VmRSS once they are done (what it keeps).

The sandbox answers with the vendors' latency (`--latency`), as in the throughput
bench. `--in-process` also runs the throughput bench's own leg for each figure, so
the two readings sit side by side in one report. Results in
bench/results/worker_rss_<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.memory_probe import _mappings  # noqa: E402
from bench.systems import profiles  # noqa: E402
from bench.throughput_bench import CONNECTIONS, ORG, RATE_FIELD, RESULTS, _leg  # noqa: E402
from sandbox.testing import RunningSandbox, sandbox_process  # noqa: E402

IDLE_S = 3.0  # the worker polls an empty queue this long before its idle size is read


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in KB, and the thread count, of a live process."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Threads"):
            out[key] = int(value.split()[0])
    return out


class Sampler:
    """Reads a process's status from outside until stopped; keeps the largest RSS seen
    and the thread count there (VmHWM is the kernel's own high-water mark)."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.peak_rss_kb = self.threads_at_peak = self.max_threads = 0
        self.last: dict[str, int] = {}
        self.mapped_at_peak: dict[str, float] = {}  # MB resident by kind of mapping
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.last = _status(self.pid)
            except (FileNotFoundError, ProcessLookupError):
                return
            self.max_threads = max(self.max_threads, self.last["Threads"])
            if self.last["VmRSS"] > self.peak_rss_kb:
                if self.last["VmRSS"] > self.peak_rss_kb * 1.02:  # smaps costs: clear peaks only
                    self._map()
                self.peak_rss_kb, self.threads_at_peak = self.last["VmRSS"], self.last["Threads"]

    def _map(self) -> None:
        try:
            mapped = _mappings(self.pid)
        except (FileNotFoundError, ProcessLookupError):
            return
        self.mapped_at_peak = {k: round(v / 1024, 1) for k, v in mapped.most_common()}


def _environment(sandbox: RunningSandbox, data_dir: Path, in_flight: int) -> dict[str, str]:
    env = {"TOOTHPICK_DATA_DIR": str(data_dir), "TOOTHPICK_LOG_LEVEL": "WARNING",
           "TOOTHPICK_WORKER_RUNS_IN_FLIGHT": str(in_flight)}  # fmt: skip
    for system in CONNECTIONS:
        env |= profiles()[system]().case.environment(sandbox)
    return env


def _connect(service: Any, sandbox: RunningSandbox, systems: list[str]) -> list[str]:
    """The throughput bench's twenty connections (each system's share one vendor account);
    their ids."""
    from core.models import Organisation
    from core.schemas import ConnectionCreate

    service.runtime.store.ensure_organisation(Organisation(id=ORG, name="Bench"))
    ids = []
    for system in systems:
        prof = profiles()[system]()
        fields = prof.fields(sandbox)
        if system in RATE_FIELD:  # the account's whole limit, shared (throughput_bench)
            name, limit = RATE_FIELD[system]
            fields[name] = limit
        for n in range(CONNECTIONS[system]):
            create = ConnectionCreate(
                system=prof.case.system, name=f"{system} {n + 1}", fields=fields,
                entities=list(prof.case.objects),
            )  # fmt: skip
            ids.append(service.connections.connect(ORG, create).id)
    return ids


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:]


def _finished(service: Any, run_id: str) -> bool:
    return bool(service.syncs.get_run(ORG, run_id).state.is_finished)


def worker_leg(
    sandbox: RunningSandbox,
    workdir: Path,
    in_flight: int,
    systems: list[str],
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One `toothpick worker` process: idle, then draining a full sync of every connection."""
    from core.models import RunState, SyncOptions
    from core.service import IntegrationService
    from core.settings import load_settings

    env = _environment(sandbox, workdir / f"worker_{in_flight}", in_flight) | (extra or {})
    os.environ.update(env)  # this process queues the runs into the worker's store
    service = IntegrationService.open(load_settings())
    connections = _connect(service, sandbox, systems)
    log_path = workdir / f"worker_{in_flight}.log"  # a file: a full pipe would stall the worker
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from core.cli import main; main()", "worker",
             "--poll-interval", "0.05"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=log,
        )  # fmt: skip
    try:
        with Sampler(process.pid) as sampler:
            time.sleep(IDLE_S)
            idle = _status(process.pid)
            began = time.monotonic()
            runs = [
                service.syncs.queue_sync(ORG, c, SyncOptions(full=True)).id for c in connections
            ]
            pending = list(runs)
            while pending:
                if process.poll() is not None:
                    raise SystemExit(f"worker exited ({process.returncode}):\n{_tail(log_path)}")
                time.sleep(0.5)
                pending = [r for r in pending if not _finished(service, r)]
            seconds = time.monotonic() - began
            time.sleep(1.0)  # the last run's malloc_trim
            after = _status(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    finals = [service.syncs.get_run(ORG, r) for r in runs]
    failed = [r for r in finals if r.state != RunState.SUCCEEDED]
    service.close()
    if failed:
        raise SystemExit(f"{len(failed)} run(s) failed: {failed[0].error}\n{_tail(log_path)}")
    return {
        "runs_in_flight": in_flight,
        "runs": len(runs),
        "seconds": round(seconds, 1),
        "idle_rss_mb": round(idle["VmRSS"] / 1024, 1),
        "peak_rss_mb": round(after["VmHWM"] / 1024, 1),
        "peak_rss_sampled_mb": round(sampler.peak_rss_kb / 1024, 1),
        "threads_at_peak": sampler.threads_at_peak,
        "resident_at_peak_mb": sampler.mapped_at_peak,
        "max_threads": sampler.max_threads,
        "rss_after_mb": round(after["VmRSS"] / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="records per entity")
    parser.add_argument("--latency-scale", type=float, default=1.0, help="x every latency")
    parser.add_argument("--in-flight", default="1,5,10,20", help="runs at once, one leg each")
    parser.add_argument("--in-process", action="store_true", help="the throughput bench's too")
    parser.add_argument("--systems", help="only these systems' connections (comma-separated)")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="a setting for the worker (e.g. TOOTHPICK_SQLITE_CACHE_MIB=8); repeatable",
    )  # fmt: skip
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    systems = args.systems.split(",") if args.systems else list(CONNECTIONS)
    workdir = Path(tempfile.mkdtemp(prefix="worker-rss-bench-"))
    legs: list[dict[str, Any]] = []
    with sandbox_process(data_dir=workdir / "sandbox", extra_args=("--latency",)) as sandbox:
        sandbox.control.set_latency(enabled=True, scale=args.latency_scale)
        for system in CONNECTIONS:
            case = profiles()[system]().case
            scale = dict.fromkeys(case.objects.values(), args.records)
            sandbox.control.reset(system, case.tenant, scale=scale)
        for in_flight in (int(n) for n in args.in_flight.split(",")):
            leg = worker_leg(sandbox, workdir, in_flight, systems, extra)
            if args.in_process:
                inside = _leg(
                    f"in_process_{in_flight}", dict.fromkeys(CONNECTIONS, sandbox), workdir,
                    {"TOOTHPICK_WORKER_RUNS_IN_FLIGHT": str(in_flight), **extra}, systems=systems,
                )  # fmt: skip
                leg["in_process_peak_rss_mb"] = round(inside["max_rss_mb"], 1)
                leg["in_process_rss_before_runs_mb"] = round(inside["setup_rss_mb"], 1)
            print(json.dumps(leg), flush=True)
            legs.append(leg)
    report = {"records_per_entity": args.records, "env": extra, "aim_peak_rss_mb": 250,
              "legs": legs}  # fmt: skip
    print(json.dumps(report, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"worker_rss_{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
