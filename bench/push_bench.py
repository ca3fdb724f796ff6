"""Push cost against the sandbox: API calls and wall time to push N new local records.

    .venv/bin/python bench/push_bench.py                         # every system with a profile
    .venv/bin/python bench/push_bench.py salesforce hubspot --records 10000

For each system (bench/systems/<system>.py whose profile has `push_record`), with the
vendor's rate limits lifted as in the sync benchmark: N local creates are stored (not
timed), then one push run goes through the product (service -> queued run -> worker
-> adapter -> sandbox over HTTP -> store). Reported: the run's wall time, the API calls
it made (the run's own count) and the write calls the sandbox logged, records pushed
and failed. Run it on two checkouts (this branch and main) to compare; results go to
bench/results/push_<system>_<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_bench import ORG, RESULTS, Bench  # noqa: E402
from bench.systems import profiles  # noqa: E402
from sandbox.testing import sandbox_process  # noqa: E402

VENDOR_RECORDS = 100  # the vendor's own records: few, so the push is what is measured


def run_system(name: str, records: int) -> dict[str, Any]:
    from core.clock import utcnow
    from core.models import Direction, SyncOptions
    from core.worker import Worker

    workdir = Path(tempfile.mkdtemp(prefix=f"push-bench-{name}-"))
    with sandbox_process(systems=(name,), data_dir=workdir / "sandbox") as sandbox:
        bench = Bench(name, sandbox, workdir)
        prof, control = bench.prof, sandbox.control
        assert prof.push_record is not None
        bench.reset(VENDOR_RECORDS)
        service, connection_id = bench.hub("hub")
        store = service.runtime.store
        for n in range(records):
            store.set_local_change(
                ORG, connection_id, prof.entity, f"local:bench-{n}", prof.push_record(n),
                at=utcnow(),
            )  # fmt: skip
        control.reset_stats(system=name, tenant=prof.case.tenant)
        run = service.syncs.queue_sync(ORG, connection_id, SyncOptions(direction=Direction.PUSH))
        start = time.perf_counter()
        Worker(service, worker_id="bench-worker").run_by_id(run.id)
        seconds = time.perf_counter() - start
        done = service.syncs.get_run(ORG, run.id)
        service.close()
        logged = control.stats(system=name, tenant=prof.case.tenant)["requests"]
    writes = sum(r["count"] for r in logged if r["op"] in ("create", "update", "delete"))
    return {
        "system": name,
        "records": records,
        "state": done.state.value,
        "error": done.error,
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds, 1) if seconds else None,
        "pushed": done.totals.pushed,
        "failed": done.totals.failed,
        "api_calls": done.totals.api_calls,
        "vendor_requests": sum(r["count"] for r in logged),
        "vendor_write_calls": writes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("systems", nargs="*", help="default: every profile with push_record")
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    found = profiles()
    names = args.systems or [n for n, p in found.items() if p().push_record is not None]
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TOOTHPICK_LOG_LEVEL", "WARNING")
    print(f"{'system':<11}{'records':>8}{'pushed':>8}{'failed':>7}{'api calls':>10}"
          f"{'writes':>8}{'seconds':>9}{'rec/s':>9}")  # fmt: skip
    for name in names:
        if found[name]().push_record is None:
            print(f"{name:<11} (no push_record in bench/systems/{name}.py)")
            continue
        result = run_system(name, args.records)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        (RESULTS / f"push_{name}_{stamp}.json").write_text(json.dumps(result, indent=2))
        print(f"{name:<11}{result['records']:>8}{result['pushed']:>8}{result['failed']:>7}"
              f"{result['api_calls']:>10}{result['vendor_write_calls']:>8}"
              f"{result['seconds']:>9.2f}{result['records_per_s'] or 0:>9.0f}"
              + (f"  {result['state']}: {result['error']}" if result["error"] else ""))  # fmt: skip


if __name__ == "__main__":
    main()
