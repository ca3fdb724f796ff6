"""Bulk reads against REST pages: API calls and time for one full read, in one run.

    .venv/bin/python bench/bulk_read_bench.py                   # salesforce and zoho, 100,000
    .venv/bin/python bench/bulk_read_bench.py zoho --records 250000

For each system, a sandbox process holds N records of the bench entity; the adapter
reads them all twice, once through REST pages (bulk_threshold 0) and once through
the vendor's bulk read jobs (bulk_threshold 1), counting API calls (the adapter's
own counter) and wall time, and checking that both reads return the same ids.
The job's fixed cost is its polls' back-off (0.5 s, then 1 s... for Salesforce;
the sandbox completes a job at its second status request), so at small N the
REST read is faster and at large N the call count is what matters: a vendor's
daily allowance counts calls, not seconds. Results go to bench/results/.
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

from bench.systems import profiles  # noqa: E402
from sandbox.testing import sandbox_process  # noqa: E402

RESULTS = ROOT / "bench" / "results"
OBJECTS = {"salesforce": "Contact", "zoho": "Contacts"}


def _read(prof: Any, sandbox: Any, threshold: int) -> dict[str, Any]:
    from adapters.base import AdapterContext
    from adapters.registry import build_adapter, system_info
    from core.forms import validate_form
    from core.models import Connection
    from core.settings import load_settings

    fields = {**prof.fields(sandbox), "bulk_threshold": threshold}
    config, secret = validate_form(system_info(prof.case.system), fields)
    connection = Connection(
        organisation_id="bench", system=prof.case.system, name="bench", config=config,
        sealed_secret="unsealed", entities=[prof.entity],
    )  # fmt: skip
    context = AdapterContext(
        connection=connection, secret=secret, ca_bundle=load_settings().ca_bundle
    )
    adapter = build_adapter(context)
    started = time.perf_counter()
    ids = [r.external_id for page in adapter.read(prof.entity, since=None, resume=None)
           for r in page.records if not r.deleted]  # fmt: skip
    seconds = time.perf_counter() - started
    calls = adapter.stats.api_calls
    adapter.close()
    return {"records": len(ids), "ids": set(ids), "seconds": seconds, "api_calls": calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("systems", nargs="*", default=list(OBJECTS))
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    found = profiles()
    report: dict[str, Any] = {}
    for system in args.systems:
        prof = found[system]()
        scale = {f"{system}.{OBJECTS[system]}": args.records}
        with (
            tempfile.TemporaryDirectory() as data,
            sandbox_process(scale=scale, systems=(system,), data_dir=Path(data)) as sandbox,
        ):
            environment = prof.case.environment(sandbox)
            os.environ.update(environment)
            try:
                rest = _read(prof, sandbox, 0)
                bulk = _read(prof, sandbox, 1)
            finally:
                for name in environment:
                    os.environ.pop(name, None)
        assert rest["ids"] == bulk["ids"], "the two reads disagree"
        row = {
            "records": rest["records"],
            "rest_calls": rest["api_calls"],
            "bulk_calls": bulk["api_calls"],
            "rest_calls_per_1000": round(1000 * rest["api_calls"] / rest["records"], 3),
            "bulk_calls_per_1000": round(1000 * bulk["api_calls"] / bulk["records"], 3),
            "rest_s": round(rest["seconds"], 2),
            "bulk_s": round(bulk["seconds"], 2),
            "bulk_over_rest_time": round(bulk["seconds"] / rest["seconds"], 2),
        }
        report[system] = row
        print(system, json.dumps(row))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bulk_read_{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
