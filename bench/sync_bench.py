"""Sync throughput against the sandbox: our product vs a bare loop vs dlt, in one run.

    .venv/bin/python bench/sync_bench.py                       # salesforce and hubspot
    .venv/bin/python bench/sync_bench.py hubspot --records 20000 --memory-records 0
    .venv/bin/python bench/sync_bench.py salesforce --profile  # cProfile of the full sync

For each system, with N records of one object in a sandbox process:

1. bare loop: requests + orjson fetch and decode the very pages our adapter
   reads (same endpoint, page size and fields); the ceiling.
2. full sync through the product: service -> queued run -> worker (a child
   process) -> adapter -> SQLite store, in records per second.
3. dlt's REST client with the matching paginator, loading the same endpoint into
   dlt's filesystem destination (duckdb is not installed with dlt here).
4. incremental sync after 1% of the records changed at the vendor, as a
   fraction of the full sync's time; then a full re-sync with nothing changed
   (every record compared by hash, none written), as a fraction as well.
5. peak RSS of the worker process for a full sync of --memory-records vs N.

Rate limits are lifted on both sides (sandbox limits, the connection's budget)
so that the engine is what is measured. Every leg runs in its own child
process; its time excludes interpreter start-up and authentication. Ratios are
printed and written to bench/results/sync_<system>_<time>.json. Systems are
bench/systems/<system>.py, one `profile()` each.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.paging import PageRequest  # noqa: E402
from bench.systems import BenchSystem, profiles  # noqa: E402
from sandbox.control import SandboxControl  # noqa: E402
from sandbox.testing import RunningSandbox, sandbox_process  # noqa: E402

ORG = "bench"
RESULTS = ROOT / "bench" / "results"


# --- the child legs --------------------------------------------------------------------------


def _adapter(prof: BenchSystem, sandbox: RunningSandbox) -> Any:
    """Our adapter for the bench connection, authenticated (not timed)."""
    from adapters.base import AdapterContext
    from adapters.registry import build_adapter, system_info
    from core.forms import validate_form
    from core.models import Connection
    from core.settings import load_settings

    info = system_info(prof.case.system)
    config, secret = validate_form(info, prof.fields(sandbox))
    connection = Connection(
        organisation_id=ORG, system=prof.case.system, name="bench", config=config,
        sealed_secret="unsealed", entities=[prof.entity],
    )  # fmt: skip
    context = AdapterContext(
        connection=connection, secret=secret, ca_bundle=load_settings().ca_bundle
    )
    adapter = build_adapter(context)
    check = adapter.check()
    if not check.ok:
        raise SystemExit(f"cannot authenticate: {check.message}")
    return adapter


def _auth_headers(adapter: Any) -> dict[str, str]:
    import requests

    probe = requests.Request("GET", adapter.session.base_url)
    adapter.session.auth.apply(probe, adapter.session)
    return dict(probe.headers)


def leg_bare(prof: BenchSystem, sandbox: RunningSandbox) -> dict[str, Any]:
    import orjson
    import requests

    from adapters.paths import dig

    adapter = _adapter(prof, sandbox)
    base = adapter.session.base_url.rstrip("/") + "/"
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE replaces `verify`
    session.verify = adapter.session._http.verify
    session.headers.update(_auth_headers(adapter))
    request: PageRequest | None = prof.first_request(adapter)
    records = pages = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    while request is not None:
        url = (
            request.url if urlsplit(request.url).scheme else urljoin(base, request.url.lstrip("/"))
        )
        response = session.request(
            request.method, url, params=request.params or None, headers=request.headers,
            data=orjson.dumps(request.json) if request.json is not None else None, timeout=300,
        )  # fmt: skip
        response.raise_for_status()
        body = orjson.loads(response.content)
        records += len(dig(body, prof.records_path) or [])
        pages += 1
        request = prof.next_request(request, body)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "records": records, "pages": pages}


def leg_dlt(prof: BenchSystem, sandbox: RunningSandbox, workdir: Path) -> dict[str, Any]:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import dlt
    import requests
    from dlt.sources.helpers.rest_client.client import RESTClient

    adapter = _adapter(prof, sandbox)
    first = prof.first_request(adapter)
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE replaces `verify`
    session.verify = adapter.session._http.verify
    client = RESTClient(
        base_url=adapter.session.base_url,
        headers={**_auth_headers(adapter), **first.headers},
        paginator=prof.dlt_paginator(),
        data_selector=prof.records_path,
        session=session,
    )

    @dlt.resource(name=prof.object.lower(), write_disposition="replace")
    def rows() -> Any:
        yield from client.paginate(
            first.url,
            method="POST" if first.method == "POST" else "GET",
            params=first.params or None,
            json=first.json,
        )

    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{prof.case.system.value}",
        destination=dlt.destinations.filesystem(bucket_url=(workdir / "dlt-data").as_uri()),
        dataset_name="bench",
        pipelines_dir=str(workdir / "dlt-pipelines"),
    )
    start = time.perf_counter()
    pipeline.run(rows())
    seconds = time.perf_counter() - start
    trace = pipeline.last_trace
    normalized = trace.last_normalize_info if trace is not None else None
    counts = normalized.row_counts if normalized is not None else {}
    return {
        "seconds": seconds,
        "records": int(counts.get(prof.object.lower(), 0)),
        "destination": "filesystem (jsonl)",
    }


def leg_sync(run_id: str, profile_to: str | None, *, tuned: bool = False) -> dict[str, Any]:
    from core.service import IntegrationService
    from core.settings import load_settings
    from core.worker import Worker

    if tuned:  # as a worker process is set up (run_by_id alone does not)
        from core.worker import tune_process

        tune_process()
    service = IntegrationService.open(load_settings())
    worker = Worker(service, worker_id="bench-worker")
    idle_mb = peak_rss_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(worker.run_by_id, run_id)
        profiler.dump_stats(profile_to)
    else:
        worker.run_by_id(run_id)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    run = service.syncs.get_run(ORG, run_id)
    service.close()
    counts = {e.value: c.model_dump(mode="json") for e, c in run.counts.items()}
    return {
        "seconds": seconds, "cpu_seconds": cpu, "state": run.state.value, "error": run.error,
        "counts": counts, "idle_rss_mb": idle_mb,
    }  # fmt: skip


def peak_rss_mb() -> float:
    """This process's own peak RSS. Not `ru_maxrss`: on Linux a child started by
    fork and exec inherits its parent's high-water mark there, so it reported the bench
    parent's size (about 150 MB) whenever that exceeded the worker's. VmHWM belongs to
    the process's own address space, new at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_main(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text())
    if job["leg"] == "sync":  # the worker imports only what a worker imports (not dlt)
        result = leg_sync(job["run_id"], job.get("profile_to"), tuned=job.get("tuned", False))
        result["max_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return
    prof = profiles()[job["system"]]()  # a system's profile imports dlt's paginators
    sb = job["sandbox"]
    sandbox = RunningSandbox(
        sb["url"], sb["tls_url"], Path(sb["ca_path"]) if sb["ca_path"] else None,
        SandboxControl(sb["url"]),
    )  # fmt: skip
    if job["leg"] == "bare":
        result = leg_bare(prof, sandbox)
    else:
        result = leg_dlt(prof, sandbox, Path(job["workdir"]))
    result["max_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


# --- the parent ------------------------------------------------------------------------------


class Bench:
    def __init__(self, name: str, sandbox: RunningSandbox, workdir: Path) -> None:
        self.name, self.sandbox, self.workdir = name, sandbox, workdir
        self.prof = profiles()[name]()
        self.env: dict[str, str] = {
            "TOOTHPICK_LOG_LEVEL": "WARNING",
            **self.prof.case.environment(sandbox),  # e.g. the sandbox CA for a TLS vendor
        }

    def child(self, leg: str, **extra: Any) -> dict[str, Any]:
        sb = self.sandbox
        job = {
            "leg": leg, "system": self.name, "workdir": str(self.workdir),
            "sandbox": {"url": sb.url, "tls_url": sb.tls_url,
                        "ca_path": str(sb.ca_path) if sb.ca_path else None},
            **extra,
        }  # fmt: skip
        job_file = self.workdir / f"job-{leg}.json"
        job_file.write_text(json.dumps(job))
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(job_file)],
            env={**os.environ, **self.env}, cwd=ROOT, capture_output=True, text=True,
            timeout=6 * 3600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"{self.name} {leg} leg failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def hub(self, label: str) -> tuple[Any, str]:
        """A fresh product (its own SQLite file) with one connection to the sandbox tenant."""
        from core.models import Organisation
        from core.schemas import ConnectionCreate
        from core.service import IntegrationService
        from core.settings import load_settings

        case = self.prof.case
        self.env["TOOTHPICK_DATA_DIR"] = str(self.workdir / label)
        os.environ.update(self.env)
        service = IntegrationService.open(load_settings())
        service.runtime.store.ensure_organisation(Organisation(id=ORG, name="Bench"))
        connection = service.connections.connect(
            ORG,
            ConnectionCreate(
                system=case.system, name=f"{self.name} bench",
                fields=self.prof.fields(self.sandbox), entities=[self.prof.entity],
            ),
        )  # fmt: skip
        return service, connection.id

    def sync(self, service: Any, connection_id: str, *, full: bool, **extra: Any) -> dict[str, Any]:
        from core.models import SyncOptions

        run = service.syncs.queue_sync(ORG, connection_id, SyncOptions(full=full))
        result = self.child("sync", run_id=run.id, **extra)
        if result["state"] != "succeeded":
            raise SystemExit(f"{self.name} sync {result['state']}: {result['error']}")
        return result

    def edit_one_percent(self, records: int) -> int:
        case, control = self.prof.case, self.sandbox.control
        system, obj = case.system.value, self.prof.object
        edited = 0
        for n, truth in enumerate(control.iter_records(system, case.tenant, obj)):
            if n % 100 == 0 and not truth.deleted:
                control.update(system, case.tenant, obj, truth.id,
                               case.remote_edit(self.prof.entity, truth))  # fmt: skip
                edited += 1
        return edited

    def reset(self, records: int) -> None:
        case, control = self.prof.case, self.sandbox.control
        control.reset(case.system.value, case.tenant, scale={self.prof.object: records})
        if self.prof.limits:
            control.set_limits(case.system.value, case.tenant, **self.prof.limits)


def run_system(name: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"sync-bench-{name}-"))
    n, load = args.records, [os.getloadavg()[0]]
    with sandbox_process(systems=(name,), data_dir=workdir / "sandbox") as sandbox:
        bench = Bench(name, sandbox, workdir)
        entity = bench.prof.entity.value
        bench.reset(n)
        profile_to = str(RESULTS / f"sync_{name}.prof") if args.profile else None
        bare_runs, full_runs = [], []
        for attempt in range(args.repeat):  # legs alternate, so a load spike hits both
            bare_runs.append(bench.child("bare"))
            service, connection_id = bench.hub(f"hub-{attempt}")
            full_runs.append(bench.sync(service, connection_id, full=True, profile_to=profile_to))
            if attempt + 1 < args.repeat:
                service.close()
        dlt_result = bench.child("dlt") if not args.no_dlt else None
        edited = bench.edit_one_percent(n)
        incremental = bench.sync(service, connection_id, full=False)
        resync = bench.sync(service, connection_id, full=True)  # everything already stored
        service.close()
        memory = None
        if args.memory_records:
            bench.reset(args.memory_records)
            big_service, big_connection = bench.hub("hub-big")
            big = bench.sync(big_service, big_connection, full=True)
            big_service.close()
            memory = {"records": args.memory_records, "full_sync": big}
    load.append(os.getloadavg()[0])
    full = min(full_runs, key=lambda r: r["seconds"])
    full = {**full, "max_rss_mb": max(r["max_rss_mb"] for r in full_runs)}
    bare = min(bare_runs, key=lambda r: r["seconds"])
    counts = full["counts"][entity]
    assert counts["created"] == n == bare["records"], (counts, bare)
    assert incremental["counts"][entity]["updated"] == edited, incremental["counts"]
    again = resync["counts"][entity]
    assert again["created"] == again["updated"] == 0 and again["unchanged"] >= n, again
    # The worker's own CPU per record, and that less what the bare loop spends to fetch and
    # decode the same pages (the part no sync can avoid).
    cost = {
        "worker_cpu_us": full["cpu_seconds"] / n * 1e6,
        "beyond_bare_us": (full["cpu_seconds"] - bare["cpu_seconds"]) / n * 1e6,
    }
    rate = {
        "bare": n / bare["seconds"],
        "ours": n / full["seconds"],
        "dlt": n / dlt_result["seconds"] if dlt_result else None,
    }
    return {
        "system": name, "entity": entity, "records": n, "python": sys.version.split()[0],
        "load_average": load, "cpus": os.cpu_count(),
        "bare": bare, "bare_runs": bare_runs, "full_sync": full, "full_sync_runs": full_runs,
        "dlt": dlt_result,
        "incremental": {**incremental, "edited": edited}, "resync": resync, "memory": memory,
        "records_per_s": rate, "cost_per_record": cost,
        "ratios": {
            "ours_to_bare": rate["ours"] / rate["bare"],
            "ours_to_dlt": rate["ours"] / rate["dlt"] if rate["dlt"] else None,
            "dlt_to_bare": rate["dlt"] / rate["bare"] if rate["dlt"] else None,
            "incremental_to_full": incremental["seconds"] / full["seconds"],
            "resync_to_full": resync["seconds"] / full["seconds"],
            "rss_big_to_n": memory["full_sync"]["max_rss_mb"] / full["max_rss_mb"]
            if memory else None,
        },
    }  # fmt: skip


def report(result: dict[str, Any]) -> None:
    r, rate, ratio = result, result["records_per_s"], result["ratios"]
    load = " -> ".join(f"{x:.1f}" for x in r["load_average"])
    print(
        f"\n{r['system']} {r['entity']}: {r['records']:,} records (load {load}, {r['cpus']} CPUs)"
    )
    print(
        f"  bare loop (requests+orjson)  {r['bare']['seconds']:8.2f} s {rate['bare']:10,.0f} rec/s"
    )
    print(
        f"  full sync (ours)             {r['full_sync']['seconds']:8.2f} s {rate['ours']:10,.0f}"
        f" rec/s  {ratio['ours_to_bare']:.2f} x bare (aim >= 0.6)"
    )
    if r["dlt"]:
        print(
            f"  dlt rest_client -> {r['dlt']['destination']:<9} {r['dlt']['seconds']:8.2f} s"
            f" {rate['dlt']:10,.0f} rec/s  {ratio['dlt_to_bare']:.2f} x bare;"
            f" ours / dlt = {ratio['ours_to_dlt']:.2f}"
        )
    cost = r["cost_per_record"]
    print(
        f"  worker CPU per record        {cost['worker_cpu_us']:8.1f} us,"
        f" {cost['beyond_bare_us']:.1f} us beyond the bare loop's (aim < 30 us)"
    )
    inc = r["incremental"]
    print(
        f"  incremental ({inc['edited']:,} changed)      {inc['seconds']:8.2f} s"
        f"  {ratio['incremental_to_full']:.1%} of the full sync (aim < 5%)"
    )
    print(
        f"  full re-sync, nothing changed  {r['resync']['seconds']:8.2f} s"
        f"  {ratio['resync_to_full']:.0%} of the first full sync (aim < 60%)"
    )
    line = f"  peak RSS of the worker: {r['full_sync']['max_rss_mb']:.0f} MB at {r['records']:,}"
    if r["memory"]:
        big = r["memory"]
        line += (
            f", {big['full_sync']['max_rss_mb']:.0f} MB at {big['records']:,}"
            f" ({ratio['rss_big_to_n']:.2f} x, aim <= 1.2)"
        )
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("systems", nargs="*", help="default: every bench/systems module")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--memory-records", type=int, default=1_000_000, help="0: skip")
    parser.add_argument("--repeat", type=int, default=2, help="best of N bare and full runs")
    parser.add_argument("--no-dlt", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the full sync")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results = []
    for name in args.systems or sorted(profiles()):
        result = run_system(name, args)
        results.append(result)
        report(result)
        out = RESULTS / f"sync_{name}_{stamp}.json"
        out.write_text(json.dumps(result, indent=2))
        print(f"  -> {out.relative_to(ROOT)}")
        if args.profile:
            _print_profile(RESULTS / f"sync_{name}.prof")
    summary(results)


def summary(results: list[dict[str, Any]]) -> None:
    """One line per system, so that every system's figures come from the same run."""
    print(f"\n{'system':<11}{'full/bare':>10}{'cpu us/rec':>11}{'beyond bare':>12}"
          f"{'re-sync':>9}{'RSS MB':>8}{'RSS big':>9}")  # fmt: skip
    for r in results:
        ratio, cost, big = r["ratios"], r["cost_per_record"], r["memory"]
        big_rss = f"{big['full_sync']['max_rss_mb']:.0f}" if big else "-"
        print(
            f"{r['system']:<11}{ratio['ours_to_bare']:>10.2f}{cost['worker_cpu_us']:>11.1f}"
            f"{cost['beyond_bare_us']:>12.1f}{ratio['resync_to_full']:>9.0%}"
            f"{r['full_sync']['max_rss_mb']:>8.0f}{big_rss:>9}"
        )


def _print_profile(path: Path) -> None:
    import pstats

    print(f"\n  profile of the full sync ({path.relative_to(ROOT)}), by own time:")
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
