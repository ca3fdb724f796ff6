"""Reconciliation against the sandbox: its cost next to a full sync's, in one run.

    .venv/bin/python bench/reconcile_bench.py                         # every system, 20,000
    .venv/bin/python bench/reconcile_bench.py salesforce hubspot --records 1000000

For each system, with N records of one object in a sandbox process (rate limits
lifted on both sides, as in bench/sync_bench.py, whose legs and hub it reuses):

1. a full sync through the product (service -> queued run -> worker child -> SQLite);
2. a reconciliation when nothing differs: the vendor's count against the hub's
   (API calls and time, as a fraction of the full sync's);
3. a reconciliation after 100 records differ behind the hub's back (a third purged,
   a third created, a third edited through the sandbox's control API): the catch-up
   read carries creates and edits (and Odoo's, whose incremental sweeps its id listing
   for purges, the purges too: nothing is left to narrow), the count shows the purges,
   id-range counts narrow them to ids where the vendor counts a range
   (core.sync.bisection; else one listing) and the repair deletes them.

Ratios are printed and written to bench/results/reconcile_<time>.json.
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

DIFFERING = 100


def _totals(result: dict[str, Any]) -> dict[str, Any]:
    counts = list(result["counts"].values())
    keys: tuple[str, ...] = ("api_calls", "pages", "missing", "extra", "stale", "repaired")
    keys += ("unexplained", "created", "updated", "deleted")  # with the catch-up's
    out = {k: sum(c.get(k) or 0 for c in counts) for k in keys}
    out["vendor_count"] = sum(c.get("vendor_count") or 0 for c in counts)
    out["held_count"] = sum(c.get("held_count") or 0 for c in counts)
    out["seconds"] = round(result["seconds"], 3)
    return out


def _run(bench: Bench, service: Any, connection_id: str, **options: Any) -> dict[str, Any]:
    from core.models import SyncOptions

    run = service.syncs.queue_sync(ORG, connection_id, SyncOptions(**options))
    result = bench.child("sync", run_id=run.id)
    if result["state"] != "succeeded":
        raise SystemExit(f"{bench.name} {options} {result['state']}: {result['error']}")
    return result


def _differ(bench: Bench, service: Any, connection_id: str) -> dict[str, int]:
    """A third purged (gone from every API: no incremental read sees it), a third created,
    a third edited at the vendor (no webhooks), the purged and edited ones spread evenly
    over the hub's stored ids (differences in as many id ranges as there are: the costly
    case for a bisection); a vendor that refuses to purge a record (one referenced
    elsewhere) gets a soft delete instead."""
    from sandbox.control import SandboxControlError

    case, control = bench.prof.case, bench.sandbox.control
    system, tenant, obj = case.system.value, case.tenant, bench.prof.object
    third = DIFFERING // 3
    edited = DIFFERING - 2 * third
    stored = list(service.runtime.store.iter_external_ids(ORG, connection_id, bench.prof.entity))
    step = max(len(stored) // (third + edited), 1)
    picked = [control.get(system, tenant, obj, i) for i in stored[step // 2 :: step]]
    live = [t for t in picked if t is not None and not t.deleted][: third + edited]
    required = control.required_fields(system, tenant, obj)
    purged = 0
    for truth in live[::2][:third]:
        try:
            control.delete(system, tenant, obj, truth.id, hard=True)
            purged += 1
        except SandboxControlError:
            control.delete(system, tenant, obj, truth.id)
    for _ in range(third):
        control.create(system, tenant, obj, {f: live[0].fields.get(f) for f in required})
    for truth in live[1::2][:edited]:
        control.update(system, tenant, obj, truth.id, case.remote_edit(bench.prof.entity, truth))
    return {"purged": purged, "soft_deleted": third - purged, "created": third, "edited": edited}


def run_system(name: str, records: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"reconcile-bench-{name}-"))
    with sandbox_process(systems=(name,), data_dir=workdir / "sandbox") as sandbox:
        bench = Bench(name, sandbox, workdir)
        bench.reset(records)
        service, connection_id = bench.hub("hub")
        full = _totals(_run(bench, service, connection_id, full=True))
        quiet = _totals(_run(bench, service, connection_id, reconcile=True))
        changes = _differ(bench, service, connection_id)
        differing = _totals(_run(bench, service, connection_id, reconcile=True))
        service.close()
    return {
        "system": name,
        "records": records,
        "full_sync": full,
        "reconcile_nothing_differs": quiet,
        "reconcile_100_differ": {**differing, "changes": changes},
        "time_ratio_nothing_differs": round(quiet["seconds"] / full["seconds"], 4),
        "time_ratio_100_differ": round(differing["seconds"] / full["seconds"], 4),
        "load_avg": os.getloadavg()[0],
    }


def report(result: dict[str, Any]) -> None:
    full, quiet = result["full_sync"], result["reconcile_nothing_differs"]
    diff = result["reconcile_100_differ"]
    print(
        f"{result['system']:<11} {result['records']:>9,} records | full sync "
        f"{full['seconds']:8.1f} s {full['api_calls']:>6} calls | reconcile, nothing differs "
        f"{quiet['seconds']:6.2f} s {quiet['api_calls']:>3} calls "
        f"({result['time_ratio_nothing_differs']:.2%}) | 100 differ {diff['seconds']:7.1f} s "
        f"{diff['api_calls']:>6} calls ({result['time_ratio_100_differ']:.1%}): "
        f"{diff['missing']} missing, {diff['extra']} extra, {diff['stale']} stale, "
        f"{diff['repaired']} repaired, {diff['unexplained']} unexplained (in all, with the "
        f"catch-up: {diff['created']} new, {diff['updated']} updated, {diff['deleted']} deleted); "
        f"held {diff['held_count']:,} of {diff['vendor_count']:,}"
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        from bench.sync_bench import child_main

        child_main(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("systems", nargs="*", default=sorted(profiles()))
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = []
    for name in args.systems:
        result = run_system(name, args.records)
        report(result)
        results.append(result)
    out = RESULTS / f"reconcile_{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
