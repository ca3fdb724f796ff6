"""Freshness: how long from a change at the vendor to the record in our store.

    .venv/bin/python -m bench.freshness_bench [--canaries 20] [--gap 3] [--burst 1000]
                                              [--polled 4] [--workdir DIR] [--redis URL]

The product as deployed, each part its own process: the vendor sandbox (HubSpot,
which sends signed webhooks, and SAP, polled), the REST API under uvicorn, a
`toothpick worker` (polling the store, its default 1 s; with `--redis`, the run
queue on Redis as in production) and, for the polled leg,
`toothpick scheduler` with the SAP connection on a one-minute cron (`* * * * *`).
Webhooks are set up the way a user does: `PUT /api/integrations/{id}/webhook`,
then the sandbox tenant subscribed to the returned path (as tests/api/test_webhooks.py).

1. webhook freshness: `--canaries` changes of one HubSpot contact, about `--gap`
   seconds apart (jittered); each delay is from just before the vendor-side write
   to the moment the new value is readable in our store (polled every 50 ms), and
   is split by the run that carried it: until queued, queued until claimed, the run;
2. burst: `--burst` contacts changed at once (one notification each, batched by
   the sandbox as HubSpot batches): runs it became, time until every one is stored;
3. polled freshness: `--polled` changes of one SAP business partner at random
   moments of the minute (scaled down: each costs up to a minute), no webhooks.

Printed, and written to bench/results/freshness_<time>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.api_bench import HUBSPOT_SECRET, api_server, environment, product_env
from bench.store_data import ORG
from core.models import Entity, Role, RunTrigger, Schedule, System
from core.schemas import ApiKeyCreate, ConnectionCreate
from core.service import IntegrationService
from core.settings import load_settings
from sandbox.testing import RunningSandbox, sandbox_process
from tests.proof.cases.hubspot import connection_fields as hubspot_fields
from tests.proof.cases.sap import connection_fields as sap_fields

RESULTS = Path(__file__).resolve().parent / "results"
TENANT = "acme"
HUBSPOT = ("contacts", "firstname", Entity.CONTACT)
SAP = ("A_BusinessPartner", "BusinessPartnerFullName", Entity.CUSTOMER)


@contextmanager
def toothpick(command: str, env: dict[str, str], workdir: Path) -> Iterator[None]:
    """`toothpick worker` or `toothpick scheduler` as its own process."""
    log = (workdir / f"{command}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from core.cli import main; main()", command],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def connect(service: IntegrationService, system: System, fields: dict[str, Any], entity: Entity,
            schedule: Schedule) -> str:  # fmt: skip
    form = ConnectionCreate(
        system=system, name=f"{system.value} freshness {time.time_ns()}", fields=fields,
        entities=[entity], schedule=schedule,
    )  # fmt: skip
    return service.connections.connect(ORG, form, test_first=False).id


def wait_idle(service: IntegrationService, connection_id: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = service.syncs.list_runs(ORG, connection_id=connection_id).items
        if runs and not any(r.state.is_active for r in runs):
            return
        time.sleep(0.2)
    raise RuntimeError(f"connection {connection_id} did not finish its runs")


def stored(service: IntegrationService, connection_id: str, entity: Entity,
           expected: dict[str, str]) -> set[str]:  # fmt: skip
    """The external ids whose stored data already holds the expected value."""
    found = service.runtime.store.get_records(ORG, connection_id, entity, list(expected))
    return {i for i, r in found.items() if expected[i] in json.dumps(r.data)}


def until_stored(service: IntegrationService, connection_id: str, entity: Entity,
                 expected: dict[str, str], timeout: float) -> float | None:  # fmt: skip
    """Monotonic time at which every expected value was stored (None: timed out)."""
    deadline = time.monotonic() + timeout
    waiting = dict(expected)
    while time.monotonic() < deadline:
        for done in stored(service, connection_id, entity, waiting):
            waiting.pop(done)
        if not waiting:
            return time.monotonic()
        time.sleep(0.05)
    return None


def percentiles(delays: list[float]) -> dict[str, Any]:
    ordered = sorted(delays)
    if not ordered:
        return {"samples": 0}

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {"samples": len(ordered), "p50_s": pct(0.5), "p95_s": pct(0.95),
            "max_s": round(ordered[-1], 2)}  # fmt: skip


def change(sandbox: RunningSandbox, system: str, spec: tuple[str, str, Entity], record_id: str,
           value: str) -> None:  # fmt: skip
    sandbox.control.update(system, TENANT, spec[0], record_id, {spec[1]: value})


def canaries(sandbox: RunningSandbox, service: IntegrationService, connection_id: str,
             count: int, gap: float, system: str, spec: tuple[str, str, Entity],
             timeout: float) -> dict[str, Any]:  # fmt: skip
    canary = next(sandbox.control.iter_records(system, TENANT, spec[0], page_size=1)).id
    delays: list[float] = []
    steps: dict[str, list[float]] = {}
    missed = 0
    for n in range(count):
        if not gap:  # polled: at a random moment of the scheduler's minute
            time.sleep(random.uniform(5, 60))
        value = f"Canary {n} {time.time_ns()}"
        began, since = time.monotonic(), datetime.now(UTC)
        change(sandbox, system, spec, canary, value)
        at = until_stored(service, connection_id, spec[2], {canary: value}, timeout)
        if at is None:
            missed += 1
            continue
        delays.append(at - began)
        wait_idle(service, connection_id)  # its run has stored the value; let it finish
        step = phases(service, connection_id, since)
        for name, seconds in step.items():
            steps.setdefault(name, []).append(seconds)
        print(f"  {system} change {n + 1}/{count}: {at - began:.2f} s {step}", flush=True)
        if gap and n + 1 < count:  # jittered, so as not to beat with the worker's poll
            time.sleep(random.uniform(0.5, 1.5) * gap)
    where = {name: round(statistics.median(v), 2) for name, v in steps.items()}
    return {**percentiles(delays), "missed": missed, "timeout_s": timeout, "median_steps_s": where}


def phases(service: IntegrationService, connection_id: str, since: datetime) -> dict[str, float]:
    """Where one change's delay went, by the run that carried it: until the run was
    queued (webhook delivery and verification, or the wait for the scheduler's minute),
    queued until a worker claimed it (the worker's poll), and the run itself."""
    runs = service.syncs.list_runs(ORG, connection_id=connection_id).items
    carried = [r for r in runs if r.created_at >= since and r.started_at and r.finished_at]
    if not carried:
        return {}
    run = min(carried, key=lambda r: r.created_at)
    assert run.started_at and run.finished_at
    return {
        "to_queued": round((run.created_at - since).total_seconds(), 2),
        "queued_to_claimed": round((run.started_at - run.created_at).total_seconds(), 2),
        "run": round((run.finished_at - run.started_at).total_seconds(), 2),
    }


def burst(sandbox: RunningSandbox, service: IntegrationService, connection_id: str,
          count: int) -> dict[str, Any]:  # fmt: skip
    ids = [r.id for r in sandbox.control.iter_records("hubspot", TENANT, "contacts")][:count]
    stamp = time.time_ns()
    expected = {i: f"Burst {n} {stamp}" for n, i in enumerate(ids)}
    before = {r.id for r in service.syncs.list_runs(ORG, connection_id=connection_id).items}
    deliveries = len(sandbox.control.webhook_deliveries(system="hubspot", tenant=TENANT))
    began = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: change(sandbox, "hubspot", HUBSPOT, i, expected[i]), ids))
    changed_in = time.monotonic() - began
    at = until_stored(service, connection_id, Entity.CONTACT, expected, timeout=300)
    sandbox.control.wait_for_webhooks()
    wait_idle(service, connection_id)
    runs = [
        r for r in service.syncs.list_runs(ORG, connection_id=connection_id).items
        if r.id not in before
    ]  # fmt: skip
    sent = sandbox.control.webhook_deliveries(system="hubspot", tenant=TENANT)[deliveries:]
    return {
        "changes": len(ids),
        "vendor_writes_s": round(changed_in, 2),
        "deliveries": len(sent),
        "delivery_statuses": sorted({d["status"] for d in sent}, key=str),
        "runs": len(runs),
        "run_triggers": sorted({r.trigger.value for r in runs}),
        "all_stored_s": None if at is None else round(at - began, 2),
        "stored": len(stored(service, connection_id, Entity.CONTACT, expected)),
        "run_seconds": [
            round((r.finished_at - r.started_at).total_seconds(), 2)
            for r in runs
            if r.finished_at and r.started_at
        ],
    }


def subscribe(url: str, token: str, sandbox: RunningSandbox, connection_id: str) -> None:
    """Our side through the API, then the sandbox tenant subscribed to it."""
    answer = httpx.put(
        f"{url}/api/integrations/{connection_id}/webhook", json={"secret": HUBSPOT_SECRET},
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )  # fmt: skip
    answer.raise_for_status()
    sandbox.control.clear_webhooks("hubspot", TENANT)
    sandbox.control.add_webhook("hubspot", TENANT, url + answer.json()["path"],
                                secret=HUBSPOT_SECRET)  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir: Path = args.workdir.resolve()
    for stale in ("data", "sandbox"):  # a fresh store: no earlier run's connections firing
        shutil.rmtree(workdir / stale, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    env = environment(workdir)
    if args.redis:  # runs arrive at the worker as Dramatiq messages instead of by its poll
        env.update(REDIS_URL=args.redis, TOOTHPICK_QUEUE_NAMESPACE=f"freshness-{time.time_ns()}")
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "queue": "redis" if args.redis else "store poll (1 s)",
    }
    scale = {"hubspot.contacts": max(args.burst, 50), "sap.A_BusinessPartner": 50}
    with (
        sandbox_process(
            systems=("hubspot", "sap"), data_dir=workdir / "sandbox", scale=scale
        ) as sandbox,
        product_env(env),
    ):
        service = IntegrationService.open(load_settings())
        try:
            token = service.access.create_key(ORG, ApiKeyCreate(name="fresh", role=Role.ADMIN))
            fields = {**hubspot_fields(sandbox), "requests_per_10s": 100_000}
            hub = connect(service, System.HUBSPOT, fields, HUBSPOT[2], Schedule(enabled=False))
            sap = connect(service, System.SAP, sap_fields(sandbox), SAP[2],
                          Schedule(cron="* * * * *"))  # fmt: skip
            with api_server(env, workdir, 1) as url, toothpick("worker", env, workdir):
                service.syncs.queue_sync(ORG, hub, trigger=RunTrigger.MANUAL)
                wait_idle(service, hub)  # the first, full sync
                subscribe(url, token.token, sandbox, hub)
                print("webhook freshness (hubspot):", flush=True)
                results["webhook"] = canaries(sandbox, service, hub, args.canaries, args.gap,
                                              "hubspot", HUBSPOT, timeout=60)  # fmt: skip
                print("webhook", json.dumps(results["webhook"]), flush=True)
                if args.burst:
                    wait_idle(service, hub)
                    results["burst"] = burst(sandbox, service, hub, args.burst)
                    print("burst", json.dumps(results["burst"]), flush=True)
                if args.polled:
                    with toothpick("scheduler", env, workdir):
                        service.syncs.queue_sync(ORG, sap, trigger=RunTrigger.MANUAL)
                        time.sleep(5)  # the scheduler reconciles each connection as it starts
                        wait_idle(service, sap)
                        print("polled freshness (sap, cron * * * * *):", flush=True)
                        results["polled"] = canaries(sandbox, service, sap, args.polled, 0,
                                                     "sap", SAP, timeout=180)  # fmt: skip
                        print("polled", json.dumps(results["polled"]), flush=True)
        finally:
            service.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--canaries", type=int, default=20)
    parser.add_argument("--gap", type=float, default=3.0, help="seconds between canary changes")
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--polled", type=int, default=4)
    parser.add_argument("--workdir", type=Path, default=RESULTS / "freshness")
    parser.add_argument("--redis", help="a Redis URL: the run queue on Redis, as in production")
    args = parser.parse_args()
    results = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"freshness_{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
