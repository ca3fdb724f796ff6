"""Throughput at the vendors' real latency and limits: 20 connections, one worker process.

    .venv/bin/python bench/throughput_bench.py                   # 1,000 records per entity
    .venv/bin/python bench/throughput_bench.py --records 10000   # the issue's size (long)

Sandbox child processes, one per system, answer with realistic timing
(`--latency`: every vendor's latency profile, concurrency limit and rate budgets
enforced; sandbox/README.md). Twenty connections (at least two per system, one vendor
account each system) each run a full sync of every entity its proof case
reads, with `--records` records per entity. In one run:

(a) the sequential engine: one worker process with runs, entities and pages
    in flight all set to 1 (the engine before issue 16);
(b) the same worker with work in flight (20 runs, the default entities and
    pages in flight);
(c) the lower bound the vendors' own limits set, from (b)'s own pages:
    per account, max(pages / allowed request rate, pages x page latency /
    allowed concurrency), and the longest chain of dependent page requests
    (cursor paging: every page of a stream; offset paging with a total: two)
    x the page's mean latency; (c) is the largest of these.

Also API calls per 1,000 records per system against the fewest the vendor's
largest page allows, the vendors' error answers (429s), the worker's CPU per
1,000 records, its peak RSS, and each system's mean run time beside the time its
calls waited for the account's limiter (`b_by_system`: which runs (b) waits for).
Results in bench/results/throughput_<time>.json.

On a machine with few cores (b) is bound by the worker's CPU, not by the vendors:
one process, one GIL, so (b) cannot go below `b_run_cpu_s`. Where that CPU goes:
`py-spy record --gil --format raw --pid <the --child process>` (a dev extra); where
the threads wait: the same with `--idle`, or `--sample`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from sandbox.testing import RunningSandbox

# The sandbox's and the proof cases' modules are imported by the parent only: the child
# is the worker measured, and a real worker holds none of them (the sandbox's time tables
# alone were 145 MB of the child's peak RSS before its runs began).

ORG = "bench"
RESULTS = ROOT / "bench" / "results"
# Connections per system (20 in all); each system's connections share one vendor account.
CONNECTIONS = {"sap": 4, "odoo": 4, "oracle": 3, "salesforce": 3, "hubspot": 2, "zoho": 2}
CONNECTIONS["pipedrive"] = 2
# The accounts' short-term limits in the sandbox tenants the proof cases use (acme).
RATE_PER_S = {"hubspot": 190 / 10, "pipedrive": 80 / 2}
RATE_FIELD = {"hubspot": ("requests_per_10s", 190), "pipedrive": ("requests_per_2s", 80)}
# The vendor's largest page (records per call) for a list read; Odoo has no cap (UNCONFIRMED).
LARGEST_PAGE = {"salesforce": 2000, "hubspot": 100, "zoho": 200, "pipedrive": 500}
LARGEST_PAGE |= {"sap": 5000, "oracle": 500, "odoo": 1000}
# Streams whose pages can be requested together once the first is read (offset + total;
# Odoo: its ids listed, then id windows).
PARALLEL_PAGING = {"sap", "oracle", "odoo"}


# --- the child: one worker process syncing every connection ------------------------------


def child_main(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text())
    os.environ.update(job["env"])
    from core.models import Organisation, SyncOptions
    from core.schemas import ConnectionCreate
    from core.service import IntegrationService
    from core.settings import load_settings
    from core.worker import Worker

    settings = load_settings()
    service = IntegrationService.open(settings)
    service.runtime.store.ensure_organisation(Organisation(id=ORG, name="Bench"))
    runs: list[tuple[str, str]] = []
    for form in job["connections"]:  # the connection forms, made by the parent
        connection = service.connections.connect(ORG, ConnectionCreate(**form))
        run = service.syncs.queue_sync(ORG, connection.id, SyncOptions(full=True))
        runs.append((form["system"], run.id))
    worker = Worker(service, poll_interval_s=0.05, runs_in_flight=settings.worker_runs_in_flight)
    setup_rss = _peak_rss_mb()
    probe = None
    if job.get("profile"):  # --profile: what the memory holds at the peak (bench.memory_probe)
        from bench.memory_probe import MemoryProbe

        probe = MemoryProbe.start(out=Path(job["profile"]), trace=job.get("trace", True))
    stop = threading.Event()
    samples: dict[str, int] = {}
    if job.get("sample"):
        until = time.monotonic() + job["sample"]
        systems = {f"run-{run_id[-8:]}": system for system, run_id in runs}
        threading.Thread(target=_sample, args=(stop, samples, systems, until), daemon=True).start()
    began_at, cpu_before = datetime.now(UTC), time.process_time()
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    # Polled rarely and only for runs still going: reading a run costs the worker's GIL (at
    # twice a second, 2.8 % of it). (b) is read from the runs' own end times, not from here.
    pending = [r for _, r in runs]
    while pending:
        time.sleep(2.0)
        pending = [r for r in pending if not service.syncs.get_run(ORG, r).state.is_finished]
    run_cpu = time.process_time() - cpu_before
    stop.set()
    thread.join()
    if probe is not None:
        probe.finish()
    out: list[dict[str, Any]] = []
    finished: list[datetime] = []
    for system, run_id in runs:
        run = service.syncs.get_run(ORG, run_id)
        finished += [run.finished_at] if run.finished_at else []
        counts = {e.value: c.model_dump(mode="json") for e, c in run.counts.items()}
        ended, began = run.finished_at, run.started_at
        took = (ended - began).total_seconds() if ended and began else None
        out.append({"system": system, "state": run.state.value, "error": run.error,
                    "seconds": took, "counts": counts})  # fmt: skip
    seconds = (max(finished, default=began_at) - began_at).total_seconds()  # the last run's end
    service.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss, cpu = _peak_rss_mb(), usage.ru_utime + usage.ru_stime
    top = dict(sorted(samples.items(), key=lambda kv: -kv[1])[:40])
    print(json.dumps({"seconds": seconds, "runs": out, "max_rss_mb": rss, "cpu_s": cpu,
                      "setup_rss_mb": setup_rss, "samples": top,
                      "run_cpu_s": run_cpu}))  # fmt: skip


def _peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss also counts what a forked child
    inherited from its parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sample(
    stop: threading.Event, samples: dict[str, int], systems: dict[str, str], until: float
) -> None:
    """Where the worker's threads are, twenty times a second (`--sample`), until `until`:
    the frame of ours nearest the top of each stack, so a shared bottleneck shows; a run's
    threads and a stream's read-ahead are marked with their system, so the stream a batch
    waits for shows too (`systems`: a run thread's name to its system)."""
    import sys as _sys
    import traceback

    me = threading.get_ident()
    while not stop.wait(0.05) and time.monotonic() < until:
        names = {thread.ident: thread.name for thread in threading.enumerate()}
        for ident, frame in _sys._current_frames().items():
            if ident == me:
                continue
            stack = traceback.extract_stack(frame)
            ours = [
                f for f in stack if f.filename.startswith(str(ROOT)) and ".venv" not in f.filename
            ]
            top = stack[-1]
            where = f"{Path(top.filename).name}:{top.name}"
            if ours:
                where = f"{Path(ours[-1].filename).name}:{ours[-1].name} > {where}"
            name = names.get(ident, "")
            if name.startswith("read-"):  # a stream's read-ahead: read-<system>-<entity>
                where = f"[{name.split('-')[1]}] {where}"
            elif name.startswith("run-"):  # a run or one of its entities: run-<id>[_n]
                where = f"[{systems.get(name.split('_')[0], '?')} run] {where}"
            samples[where] = samples.get(where, 0) + 1


# --- the parent ---------------------------------------------------------------------------


def _sandbox_cpu_s(sandboxes: list[RunningSandbox]) -> float:
    cpu = 0.0
    for sandbox in sandboxes:
        assert sandbox.process is not None
        cpu += _cpu_s(sandbox.process.pid)
    return cpu


def _cpu_s(pid: int) -> float:
    """CPU seconds a process has used (utime + stime, /proc on Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def by_system(leg: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each system's runs in a leg: the mean run's seconds and the time its calls waited
    for the account's rate limiter (summed over its runs), to tell a run held back by its
    vendor's limit from one held back by the worker."""
    out: dict[str, dict[str, float]] = {}
    for run in leg["runs"]:
        row = out.setdefault(run["system"], {"runs": 0, "seconds": 0.0, "rate_limit_wait_s": 0.0})
        row["runs"] += 1
        row["seconds"] += run["seconds"] or 0.0
        row["rate_limit_wait_s"] += sum(c["rate_limit_wait_s"] for c in run["counts"].values())
    return {
        system: {"runs": row["runs"], "mean_run_s": round(row["seconds"] / row["runs"], 1),
                 "rate_limit_wait_s": round(row["rate_limit_wait_s"], 1)}
        for system, row in out.items()
    }  # fmt: skip


def _connection_forms(
    sandboxes: dict[str, RunningSandbox], systems: list[str] | None
) -> list[dict[str, Any]]:
    """Every connection's form (ConnectionCreate's fields), from the systems' proof cases."""
    from bench.systems import profiles

    forms = []
    for system in systems or CONNECTIONS:
        prof = profiles()[system]()
        fields = prof.fields(sandboxes[system])
        if system in RATE_FIELD:
            # The account's whole limit: its connections share one bucket (core.budgets), so
            # a share each (limit // count) would hold the account at 1/count of its rate.
            name, limit = RATE_FIELD[system]
            fields[name] = limit
        for n in range(CONNECTIONS[system]):
            entities = [e.value for e in prof.case.objects]
            forms.append({"system": prof.case.system.value, "name": f"{system} {n + 1}",
                          "fields": fields, "entities": entities})  # fmt: skip
    return forms


def _leg(
    name: str,
    sandboxes: dict[str, RunningSandbox],
    workdir: Path,
    env: dict[str, str],
    *,
    sample: float = 0.0,
    profile: dict[str, Any] | None = None,
    systems: list[str] | None = None,
) -> dict[str, Any]:
    from bench.systems import profiles

    case_env: dict[str, str] = {}
    for system in CONNECTIONS:
        case_env |= profiles()[system]().case.environment(sandboxes[system])
    job = {
        **(profile or {}),
        "sample": sample,
        "connections": _connection_forms(sandboxes, systems),
        "env": {"TOOTHPICK_DATA_DIR": str(workdir / name), "TOOTHPICK_LOG_LEVEL": "WARNING",
                **case_env, **env},
    }  # fmt: skip
    job_file = workdir / f"job-{name}.json"
    job_file.write_text(json.dumps(job))
    running = list({id(sandbox): sandbox for sandbox in sandboxes.values()}.values())
    for sandbox in running:
        sandbox.control.reset_stats()
    sandbox_cpu = _sandbox_cpu_s(running)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(job_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=6 * 3600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"leg {name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["sandbox_cpu_s"] = _sandbox_cpu_s(running) - sandbox_cpu
    # What the vendors answered other than success, by system and status (429: refused).
    refused: dict[str, dict[str, int]] = {}
    rows = [row for sandbox in running for row in sandbox.control.stats()["statuses"]]
    for row in rows:
        if int(row["status"]) >= 400:
            by_status = refused.setdefault(row["system"], {})
            by_status[str(row["status"])] = by_status.get(str(row["status"]), 0) + row["count"]
    result["refused"] = refused
    bad = [r for r in result["runs"] if r["state"] != "succeeded"]
    if bad:
        raise SystemExit(f"leg {name}: {len(bad)} run(s) did not succeed: {bad[0]['error']}")
    return result


def _page_latency_s(system: str, records_per_page: float, scale: float) -> float:
    from sandbox.core.latency import PROFILES

    p = PROFILES[system]
    return (p.fixed_ms + p.jitter_ms / 2 + p.per_record_ms * records_per_page) * scale / 1000


def lower_bound(result: dict[str, Any], scale: float) -> dict[str, Any]:
    """(c) from the pages (b) needed: per account the rate and concurrency bounds, and the
    longest chain of page requests that must follow one another."""
    per_system: dict[str, dict[str, float]] = {}
    chain_s = 0.0
    for run in result["runs"]:
        system = run["system"]
        totals = per_system.setdefault(system, {"pages": 0, "busy_s": 0.0})
        for counts in run["counts"].values():
            pages, read = counts["pages"], counts["read"]
            if not pages:
                continue
            latency = _page_latency_s(system, read / pages, scale)
            totals["pages"] += pages
            totals["busy_s"] += pages * latency
            chain = min(pages, 2) if system in PARALLEL_PAGING else pages
            chain_s = max(chain_s, chain * latency)
    from sandbox.core.latency import ZOHO_CONCURRENCY

    concurrency = {"zoho": ZOHO_CONCURRENCY["Enterprise"]}  # the acme tenant's edition
    accounts = {}
    for system, totals in per_system.items():
        rate_s = totals["pages"] / RATE_PER_S[system] if system in RATE_PER_S else 0.0
        busy = totals["busy_s"] / concurrency[system] if system in concurrency else 0.0
        accounts[system] = {"pages": totals["pages"], "rate_bound_s": rate_s,
                            "concurrency_bound_s": busy}  # fmt: skip
    worst = max(max(a["rate_bound_s"], a["concurrency_bound_s"]) for a in accounts.values())
    return {"seconds": max(worst, chain_s), "chain_s": chain_s, "accounts": accounts}


def api_calls(result: dict[str, Any]) -> dict[str, Any]:
    """Calls per 1,000 records by system, against the fewest the vendor's largest page
    allows; the page reads apart (at the connection's page size: SAP's default $top is
    1,000 of its 5,000), and the rest by kind: per stream, a count for the sync's
    reconciliation and, where paging needs one, an id listing or a query job; per run,
    logins and the field checks' metadata."""
    calls: dict[str, dict[str, float]] = {}
    kinds = ("api_calls", "pages", "read", "retries", "read_calls", "auth_calls", "metadata_calls")
    for run in result["runs"]:
        row = calls.setdefault(run["system"], dict.fromkeys(kinds, 0))
        for counts in run["counts"].values():
            for kind in row:
                row[kind] += counts.get(kind, 0)  # retries: a 429 (or a 5xx) answered again
    return {
        system: {
            "per_1000": round(row["api_calls"] / max(1, row["read"]) * 1000, 2),
            "fewest_per_1000": round(1000 / LARGEST_PAGE[system], 2),
            "pages_per_1000": round(row["pages"] / max(1, row["read"]) * 1000, 2),
            "api_calls": int(row["api_calls"]),
            "pages": int(row["pages"]),
            "other_reads": int(row["read_calls"] - row["pages"]),
            "auth": int(row["auth_calls"]),
            "metadata": int(row["metadata_calls"]),
            "records": int(row["read"]),
            "retries": int(row["retries"]),
        }
        for system, row in calls.items()
    }


def _profile(kind: str | None) -> dict[str, Any] | None:
    """`--profile`: the job's probe settings (rss: threads and peaks only, cheap)."""
    if kind is None:
        return None
    out = RESULTS / f"memory_{time.strftime('%Y%m%d-%H%M%S')}_{kind}.txt"
    return {"profile": str(out), "trace": kind == "tracemalloc"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="records per entity")
    parser.add_argument("--latency-scale", type=float, default=1.0, help="x every latency")
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument(
        "--sample", type=float, nargs="?", const=1e9, default=0.0, metavar="SECONDS",
        help="where (b)'s threads wait (over its first SECONDS only, if given)",
    )  # fmt: skip
    parser.add_argument("--runs-in-flight", type=int, default=20, help="(b)'s runs at once")
    parser.add_argument(
        "--profile", choices=("rss", "tracemalloc"), help="where (b)'s memory goes, to a file"
    )
    parser.add_argument("--systems", help="only these systems' connections (comma-separated)")
    parser.add_argument(
        "--one-sandbox", action="store_true", help="every system in one sandbox process"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    from bench.systems import profiles
    from sandbox.testing import sandbox_process

    systems = args.systems.split(",") if args.systems else None
    workdir = Path(tempfile.mkdtemp(prefix="throughput-bench-"))
    with ExitStack() as stack:
        # One sandbox process per system, as each vendor is a service of its own (or one
        # for all: `--one-sandbox`). In one process, on one event loop, every vendor's
        # requests queue behind the others' answers (a 2,000-record page is rendered
        # before the next request is read): at 0bed585 (b) took 81.8 and 82.4 s with one
        # sandbox, 76.9 and 77.1 s with one per system.
        sandboxes: dict[str, RunningSandbox] = {}
        data_dir = workdir / "sandbox"  # shared: one TLS certificate for all (its CA trusted)
        for group in [tuple(CONNECTIONS)] if args.one_sandbox else [(s,) for s in CONNECTIONS]:
            started = stack.enter_context(
                sandbox_process(data_dir=data_dir, systems=group, extra_args=("--latency",))
            )
            started.control.set_latency(enabled=True, scale=args.latency_scale)
            sandboxes |= dict.fromkeys(group, started)
        for system in CONNECTIONS:
            case = profiles()[system]().case
            scale = dict.fromkeys(case.objects.values(), args.records)
            sandboxes[system].control.reset(system, case.tenant, scale=scale)
        legs: dict[str, dict[str, Any]] = {}
        if not args.skip_sequential:
            one = {"TOOTHPICK_WORKER_RUNS_IN_FLIGHT": "1", "TOOTHPICK_ENTITIES_IN_FLIGHT": "1",
                   "TOOTHPICK_PAGES_IN_FLIGHT": "1"}  # fmt: skip
            legs["sequential"] = _leg("sequential", sandboxes, workdir, one, systems=systems)
            print(f"(a) sequential: {legs['sequential']['seconds']:.1f} s", flush=True)
        legs["in_flight"] = _leg(
            "in_flight",
            sandboxes,
            workdir,
            {"TOOTHPICK_WORKER_RUNS_IN_FLIGHT": str(args.runs_in_flight)},
            sample=args.sample,
            profile=_profile(args.profile),
            systems=systems,
        )
    b = legs["in_flight"]
    bound = lower_bound(b, args.latency_scale)
    records = sum(c["read"] for r in b["runs"] for c in r["counts"].values())
    report: dict[str, Any] = {
        "records_per_entity": args.records,
        "connections": sum(CONNECTIONS[s] for s in systems or CONNECTIONS),
        "records": records,
        "b_in_flight_s": round(b["seconds"], 2),
        "c_lower_bound_s": round(bound["seconds"], 2),
        "b_over_c": round(b["seconds"] / bound["seconds"], 2) if bound["seconds"] else None,
        "peak_rss_mb_in_flight": round(b["max_rss_mb"], 1),
        "rss_mb_before_the_runs": round(b["setup_rss_mb"], 1),
        # CPU seconds the worker (setup included) and the sandbox used during (b): on a
        # machine with few cores, their sum near (b)'s wall time x cores means (b) waits on
        # CPU rather than on the vendors.
        "b_worker_cpu_s": round(b["cpu_s"], 1),
        "b_sandbox_cpu_s": round(b["sandbox_cpu_s"], 1),
        # The worker's CPU during the runs alone, and per 1,000 records.
        "b_run_cpu_s": round(b["run_cpu_s"], 1),
        "b_cpu_ms_per_1000": round(b["run_cpu_s"] / max(1, records) * 1e6, 1),
        "cores": os.cpu_count(),
        "slowest_runs_s": sorted(
            ((r["system"], round(r["seconds"] or 0, 1)) for r in b["runs"]),
            key=lambda item: -item[1],
        )[:6],
        "b_by_system": by_system(b),
        "lower_bound": bound,
        "samples": b.get("samples", {}),
        "api_calls": api_calls(b),
        "b_vendor_errors": b["refused"],  # by system and HTTP status; 429 = refused for rate
    }
    if "sequential" in legs:
        a = legs["sequential"]["seconds"]
        report |= {"a_sequential_s": round(a, 2), "a_over_b": round(a / b["seconds"], 2)}
        report["peak_rss_mb_sequential"] = round(legs["sequential"]["max_rss_mb"], 1)
    print(json.dumps(report, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"throughput_{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
