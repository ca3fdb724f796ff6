"""A mapping change's backfill against the sandbox: its cost next to a full sync's.

    .venv/bin/python bench/backfill_bench.py                          # every system, 20,000
    .venv/bin/python bench/backfill_bench.py hubspot odoo --records 100000

For each system, with N records of one object in a sandbox process (rate limits lifted
on both sides, as in bench/sync_bench.py, whose legs and hub it reuses):

1. a full sync through the product (service -> queued run -> worker child -> SQLite);
2. a vendor text field mapped onto a custom field: the backfill the change queues reads
   that field alone (API calls, time, and the bytes the vendor sends for that listing
   next to a whole-record listing's);
3. the field unmapped: the backfill clears it in the store (no vendor call expected);
4. the field mapped again, backfilled the earlier way: every whole record listed and
   re-stored (a backfill run naming no fields: what the reconciliation-listing backfill
   read, less its two count calls).

Printed and written to bench/results/backfill_<time>.json.
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


def _totals(result: dict[str, Any]) -> dict[str, Any]:
    counts = list(result["counts"].values())
    keys = ("api_calls", "pages", "read", "updated", "failed")
    out = {k: sum(c.get(k) or 0 for c in counts) for k in keys}
    out["seconds"] = round(result["seconds"], 3)
    return out


def _child(bench: Bench, run_id: str) -> dict[str, Any]:
    result = bench.child("sync", run_id=run_id)
    if result["state"] != "succeeded":
        raise SystemExit(f"{bench.name} run {run_id} {result['state']}: {result['error']}")
    return _totals(result)


def _queued(service: Any, connection_id: str) -> str:
    from core.models import RunState

    runs = service.syncs.list_runs(ORG, connection_id=connection_id).items
    [run] = [r for r in runs if r.state is RunState.QUEUED]
    return str(run.id)


def _map(service: Any, connection_id: str, overrides: list[Any]) -> str:
    from core.schemas import ConnectionUpdate

    update = ConnectionUpdate(field_overrides=overrides)
    service.connections.update_connection(ORG, connection_id, update)
    return _queued(service, connection_id)


def _text_field(service: Any, connection_id: str, entity: Any) -> str:
    from adapters import convert

    connection = service.runtime.store.get_connection(ORG, connection_id)
    adapter = service.connections.open_adapter(connection, store_refreshed=False)
    try:
        rules = adapter.field_map(entity).rules
        text = convert.TEXT.name
        return str(
            next(r.vendor for r in rules if r.custom_name is None and r.convert.name == text)
        )
    finally:
        adapter.close()


def _bytes_read(service: Any, connection_id: str, entity: Any, fields: list[str] | None) -> int:
    """Response bytes of one whole listing: of `fields` alone (read_fields), or whole records."""
    connection = service.runtime.store.get_connection(ORG, connection_id)
    adapter = service.connections.open_adapter(connection, store_refreshed=False)
    http = adapter.session._http
    send, total = http.send, [0]

    def counting(request: Any, **kwargs: Any) -> Any:
        response = send(request, **kwargs)
        total[0] += len(response.content)
        return response

    http.send = counting
    try:
        pages = (
            adapter.read_fields(entity, fields)
            if fields is not None
            else adapter.read(entity, since=None, resume=None)
        )
        for _page in pages:
            pass
    finally:
        adapter.close()
    return total[0]


def run_system(name: str, records: int) -> dict[str, Any]:
    from core.models import FieldOverride, SyncOptions

    workdir = Path(tempfile.mkdtemp(prefix=f"backfill-bench-{name}-"))
    with sandbox_process(systems=(name,), data_dir=workdir / "sandbox") as sandbox:
        bench = Bench(name, sandbox, workdir)
        bench.reset(records)
        service, connection_id = bench.hub("hub")
        entity = bench.prof.entity
        full = _child(
            bench, service.syncs.queue_sync(ORG, connection_id, SyncOptions(full=True)).id
        )
        vendor = _text_field(service, connection_id, entity)
        mapped = FieldOverride(entity=entity, canonical_field="custom.bench", vendor_field=vendor)
        field_alone = _child(bench, _map(service, connection_id, [mapped]))
        payload = {
            "field_alone": _bytes_read(service, connection_id, entity, ["custom.bench"]),
            "whole_records": _bytes_read(service, connection_id, entity, None),
        }
        cleared = _child(bench, _map(service, connection_id, []))
        # Today's way, for comparison: the field mapped again (in the store, so the change
        # queues nothing) and every whole record listed and re-stored.
        store = service.runtime.store
        connection = store.get_connection(ORG, connection_id)
        store.update_connection(connection.model_copy(update={"field_overrides": [mapped]}))
        whole = SyncOptions(backfill=True, direction="pull", entities=[entity])
        whole_records = _child(bench, service.syncs.queue_sync(ORG, connection_id, whole).id)
        service.close()
    return {
        "system": name,
        "records": records,
        "field": vendor,
        "full_sync": full,
        "backfill_field_alone": field_alone,
        "backfill_whole_records": whole_records,
        "unmapped_cleared": cleared,
        "listing_bytes": payload,
        "time_ratio_field_alone": round(field_alone["seconds"] / full["seconds"], 4),
        "time_ratio_whole_records": round(whole_records["seconds"] / full["seconds"], 4),
        "time_ratio_cleared": round(cleared["seconds"] / full["seconds"], 4),
        "load_avg": os.getloadavg()[0],
    }


def report(result: dict[str, Any]) -> None:
    full, alone = result["full_sync"], result["backfill_field_alone"]
    payload = result["listing_bytes"]
    whole, cleared = result["backfill_whole_records"], result["unmapped_cleared"]
    print(
        f"{result['system']:<11} {result['records']:>9,} records | full sync "
        f"{full['seconds']:7.1f} s {full['api_calls']:>5} calls | map {result['field']}: "
        f"{alone['seconds']:6.1f} s {alone['api_calls']:>5} calls "
        f"({result['time_ratio_field_alone']:.0%}), {alone['updated']:,} filled | whole records "
        f"{whole['seconds']:6.1f} s {whole['api_calls']:>5} calls "
        f"({result['time_ratio_whole_records']:.0%}) | unmap: {cleared['seconds']:5.1f} s "
        f"{cleared['api_calls']} calls, {cleared['updated']:,} cleared | listing bytes: field "
        f"{payload['field_alone']:,}, whole {payload['whole_records']:,}"
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
    out = RESULTS / f"backfill_{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
