"""The worker's CPU per record on a full sync's pull path, and a fingerprint of what it stored.

    .venv/bin/python bench/pull_cpu_bench.py                        # every system, 20,000 each
    .venv/bin/python bench/pull_cpu_bench.py hubspot sap --records 50000 --repeat 3
    .venv/bin/python bench/pull_cpu_bench.py salesforce --spy      # py-spy of one full sync

Issue 16's throughput bench is CPU-bound on two cores (the worker and the sandbox share
them), so CPU per record, not wall time, is what a change to the pull path should move.
For each system: one sandbox process (limits lifted, its clock frozen at a fixed instant
so that the seeded records are the same every time), N records of the system's bench
entity (bench/systems/), then --repeat full syncs, each into a fresh hub, each in its own
worker process (bench/sync_bench.py's legs). The figure is the worker process's CPU time
(every thread: the read-ahead fetches and maps while the main thread stores) per 1,000
records, the median of the runs, with the load average beside it. The worker process is
set up as a worker process is (core.worker.tune_process: collector thresholds, malloc
arenas), which bench/sync_bench.py's own legs leave at the interpreter's defaults;
--untuned measures it that way.

The fingerprint is a SHA-256 of the stored records (id, data text, content hash,
source stamps, deleted, version) and of their change entries (kind, before, after) in
key order: a change that must not alter what is stored (a faster mapping, validation or
hash) keeps it equal. Results go to bench/results/pull_cpu_<time>.json; compare the
fingerprints of two runs (before and after) with --compare that file. --offline adds
bench/pull_offline.py's leg: the same answers mapped, hashed and stored without the
network, in one thread, which a shared machine's load moves far less.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pull_offline import fingerprint, offline_cpu  # noqa: E402
from bench.sync_bench import Bench  # noqa: E402
from bench.systems import profiles  # noqa: E402
from sandbox.testing import sandbox_process  # noqa: E402

RESULTS = ROOT / "bench" / "results"
FIXED_CLOCK_MS = 1_798_761_540_000  # 2026-12-31 23:59:00 UTC: the seeded stamps' "now"


def spy(
    bench: Bench, service: Any, connection_id: str, out: Path, *, tuned: bool
) -> dict[str, Any]:
    """One full sync under py-spy (every thread, CPU samples only), raw stacks to `out`."""
    from bench.sync_bench import ORG
    from core.models import SyncOptions

    run = service.syncs.queue_sync(ORG, connection_id, SyncOptions(full=True))
    job = bench.workdir / "job-spy.json"
    sb = bench.sandbox
    job.write_text(
        json.dumps({"leg": "sync", "system": bench.name, "run_id": run.id, "tuned": tuned,
                    "sandbox": {"url": sb.url, "tls_url": sb.tls_url,
                                "ca_path": str(sb.ca_path) if sb.ca_path else None}})
    )  # fmt: skip
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    done = subprocess.run(
        [py_spy, "record", "--threads", "-r", "500", "--format", "raw", "-o", str(out), "--",
         sys.executable, str(ROOT / "bench" / "sync_bench.py"), "--child", str(job)],
        env={**os.environ, **bench.env}, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"py-spy failed:\n{done.stderr[-3000:]}")
    last = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
    result: dict[str, Any] = json.loads(last)  # py-spy prints its own lines after the child's
    return result


def run_system(name: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"pull-cpu-{name}-"))
    n = args.records
    runs: list[dict[str, Any]] = []
    prints: set[str] = set()
    with sandbox_process(systems=(name,), data_dir=workdir / "sandbox") as sandbox:
        _freeze(sandbox)
        bench = Bench(name, sandbox, workdir)
        entity = bench.prof.entity.value
        bench.reset(n)
        for attempt in range(args.repeat):
            load = os.getloadavg()[0]
            service, connection_id = bench.hub(f"hub-{attempt}")
            if args.spy and attempt == 0:
                out = RESULTS / f"pull_cpu_{name}.spy.txt"
                result = spy(bench, service, connection_id, out, tuned=not args.untuned)
                print(f"  py-spy stacks -> {out.relative_to(ROOT)}")
            else:
                result = bench.sync(service, connection_id, full=True, tuned=not args.untuned)
            service.close()
            counts = result["counts"][entity]
            assert counts["created"] == n, counts
            prints.add(fingerprint(workdir / f"hub-{attempt}" / "toothpick.db"))
            runs.append({**result, "load": load})
        offline = None
        if args.offline:  # bench.hub() put the vendor's environment (its CA) in os.environ
            offline = offline_cpu(bench.prof, sandbox, repeat=args.repeat)
    assert len(prints) == 1, f"{name}: runs stored different data"
    ms = [r["cpu_seconds"] / n * 1e6 for r in runs]  # CPU ms per 1,000 records
    return {
        "system": name, "entity": entity, "records": n,
        "cpu_ms_per_1k": statistics.median(ms), "cpu_ms_per_1k_runs": ms,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "load": [r["load"] for r in runs], "fingerprint": prints.pop(), "offline": offline,
    }  # fmt: skip


def _freeze(sandbox: Any) -> None:
    from datetime import UTC, datetime

    sandbox.control.set_clock(datetime.fromtimestamp(FIXED_CLOCK_MS / 1000, UTC), frozen=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("systems", nargs="*", help="default: every bench/systems module")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="median of N full syncs")
    parser.add_argument("--spy", action="store_true", help="py-spy the first sync")
    parser.add_argument("--compare", type=Path, help="an earlier result file: same data?")
    parser.add_argument("--untuned", action="store_true", help="the interpreter's defaults")
    parser.add_argument(
        "--offline", action="store_true", help="also map+hash+store without the network"
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ["TOOTHPICK_LOG_LEVEL"] = "WARNING"
    earlier = {}
    if args.compare:
        earlier = {r["system"]: r for r in json.loads(args.compare.read_text())["systems"]}
    results = []
    print(f"{'system':<11}{'records':>8}{'cpu ms/1k':>11}{'runs':>22}{'load':>16}  stored data")
    for name in args.systems or sorted(profiles()):
        r = run_system(name, args)
        results.append(r)
        same = ""
        if name in earlier and earlier[name]["records"] == r["records"]:
            same = "DIFFERS"
            if earlier[name]["fingerprint"] == r["fingerprint"]:
                same = "same as before"
        runs = " ".join(f"{x:.1f}" for x in r["cpu_ms_per_1k_runs"])
        load = " ".join(f"{x:.1f}" for x in r["load"])
        print(
            f"{name:<11}{r['records']:>8,}{r['cpu_ms_per_1k']:>11.1f}{runs:>22}{load:>16}"
            f"  {r['fingerprint'][:12]} {same}",
            flush=True,
        )
        if r["offline"]:
            off, before = r["offline"], (earlier.get(name) or {}).get("offline")
            same = (
                ""
                if not before
                else ("same as before" if before["digest"] == off["digest"] else "DIFFERS")
            )
            print(
                f"{'  offline':<11}{off['records']:>8,}{off['us_per_record']:>11.1f}"
                f"{'(min, map+hash+store)':>38}  {off['digest'][:12]} {same}",
                flush=True,
            )
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = RESULTS / f"pull_cpu_{stamp}.json"
    out.write_text(json.dumps({"python": sys.version.split()[0], "systems": results}, indent=2))
    print(f"-> {out.relative_to(ROOT)}")
    if any(
        e["fingerprint"] != r["fingerprint"]
        or (e.get("offline") and r["offline"] and e["offline"]["digest"] != r["offline"]["digest"])
        for r in results
        if (e := earlier.get(r["system"])) and e["records"] == r["records"]
    ):
        raise SystemExit("stored data differs from the earlier run")


if __name__ == "__main__":
    main()
