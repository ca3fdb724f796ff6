"""REST API latency under load, with a million log entries behind it.

    .venv/bin/python -m bench.api_bench [--logs 1000000] [--clients 50] [--seconds 20]
                                        [--workdir DIR] [--workers 1]

A real uvicorn server (the product's own `api.app:create_app` factory) on loopback
over a SQLite store seeded with `--logs` entries (bench/store_data.py: 20
connections, 30 days, 5% errors). `--clients` concurrent httpx clients call, for
`--seconds` each:

- `GET /api/integrations/status` (per-connection health and the 24-hour KPIs);
- `GET /api/integrations/logs?status=error&system=hubspot&limit=50` (a filtered page
  with its total).

Then (`--burst`, default 1,000) a burst of HubSpot change notifications, each signed
(v3) and distinct, sent by the same clients to one connection's webhook endpoint:
how many runs they became (coalescing) and how long the API took to accept them all.

Each request carries an API key, so authentication and the store-backed per-key
rate limit (raised out of the way, but still counted in the store) are part of every
figure. Reported: p50/p95/p99 latency in ms, requests/s, errors. The seeded store is
kept in `--workdir` and reused by a later run with the same `--logs`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.store_data import ORG, log_batches, make_connections
from core.models import Connection, Entity, Role, System
from core.schemas import ApiKeyCreate, WebhookSetup
from core.service import IntegrationService
from core.settings import load_settings
from core.vault import generate_key

ENDPOINTS = {
    "status": "/api/integrations/status",
    "logs_filtered": "/api/integrations/logs?status=error&system=hubspot&limit=50",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(workdir: Path) -> dict[str, str]:
    key_file = workdir / "bench.key"
    if not key_file.exists():
        key_file.write_text(generate_key())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOOTHPICK_", "REDIS_URL"))}
    env.update(
        {
            "TOOTHPICK_ENV": "test",
            "TOOTHPICK_DATA_DIR": str(workdir / "data"),
            "INTEGRATION_ENCRYPTION_KEY": key_file.read_text().strip(),
            "TOOTHPICK_ORGANISATION": ORG,
            "TOOTHPICK_API_RATE_LIMIT_PER_MINUTE": "1000000",
            "TOOTHPICK_LOG_LEVEL": "WARNING",
        }
    )
    return env


@contextmanager
def product_env(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def seed(env: dict[str, str], logs: int) -> dict[str, Any]:
    """The store with `logs` entries (kept between runs) and a fresh viewer key."""
    marker = Path(env["TOOTHPICK_DATA_DIR"]) / f"seeded-{logs}"
    with product_env(env):
        service = IntegrationService.open(load_settings())
    try:
        figures: dict[str, Any] = {"reused": marker.exists()}
        if not marker.exists():
            store = service.runtime.store
            conns = [store.create_connection(c) for c in make_connections(20)]
            start, written = time.perf_counter(), 0
            until = datetime.now(UTC)
            for batch in log_batches(conns, total=logs, until=until, days=30, batch=5000):
                written += store.append_logs(batch)
            figures["seeded_entries"] = written
            figures["seed_seconds"] = round(time.perf_counter() - start, 1)
            marker.write_text(str(written))
        key = service.access.create_key(ORG, ApiKeyCreate(name="bench", role=Role.VIEWER))
        figures["token"] = key.token
        return figures
    finally:
        service.close()


@contextmanager
def api_server(env: dict[str, str], workdir: Path, workers: int) -> Iterator[str]:
    port = _free_port()
    log = (workdir / "uvicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning", "--no-access-log"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the API did not start; see uvicorn.log")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


async def load(url: str, path: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as http:
        await http.get(path)  # warm: caches, first connection
        stop = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                try:
                    answer = await http.get(path)
                    ok = answer.status_code == 200
                    reason = str(answer.status_code)
                except httpx.HTTPError as exc:
                    ok, reason = False, type(exc).__name__
                latencies.append((time.perf_counter() - start) * 1000)
                if not ok:
                    errors[reason] = errors.get(reason, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {
        "requests": len(ordered),
        "requests_per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "errors": errors,
    }


HUBSPOT_SECRET = "bench-hubspot-client-secret"


def webhook_connection(env: dict[str, str]) -> str:
    """A HubSpot connection of the bench organisation with webhooks set up."""
    with product_env(env):
        service = IntegrationService.open(load_settings())
    try:
        made = Connection(
            organisation_id=ORG, system=System.HUBSPOT, name=f"burst-{time.time_ns()}",
            entities=[Entity.CONTACT], sealed_secret="x",
        )  # fmt: skip
        sealed = service.runtime.vault.seal(
            {"api_token": "bench"}, organisation_id=ORG, connection_id=made.id
        )
        service.runtime.store.create_connection(made.model_copy(update={"sealed_secret": sealed}))
        service.webhooks.configure(ORG, made.id, WebhookSetup(secret=HUBSPOT_SECRET))
        return made.id
    finally:
        service.close()


def _signed(url: str, event_id: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        [{"eventId": event_id, "subscriptionType": "contact.propertyChange", "objectId": event_id}]
    ).encode()
    stamp = str(int(time.time() * 1000))
    message = b"POST" + url.encode() + body + stamp.encode()
    signature = base64.b64encode(
        hmac.new(HUBSPOT_SECRET.encode(), message, hashlib.sha256).digest()
    )
    return body, {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": signature.decode(),
        "X-HubSpot-Request-Timestamp": stamp,
    }


async def burst(url: str, connection_id: str, count: int, clients: int) -> dict[str, Any]:
    path = f"/api/webhooks/hubspot/{connection_id}"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n + 1)
    answers: dict[str, int] = {}
    runs: set[str] = set()
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:

        async def client() -> None:
            while not queue.empty():
                body, headers = _signed(url + path, queue.get_nowait())
                answer = await http.post(path, content=body, headers=headers)
                answers[str(answer.status_code)] = answers.get(str(answer.status_code), 0) + 1
                if answer.status_code == 200 and answer.json().get("run_id"):
                    runs.add(answer.json()["run_id"])

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    return {
        "notifications": count,
        "answers": answers,
        "runs": len(runs),
        "accepted_in_s": round(elapsed, 2),
        "per_s": round(count / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("bench/results/api"))
    parser.add_argument("--only", choices=sorted(ENDPOINTS), action="append")
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = environment(args.workdir.resolve())
    seeded = seed(env, args.logs)
    token = seeded.pop("token")
    results: dict[str, Any] = {"logs": args.logs, "clients": args.clients, **seeded}
    with api_server(env, args.workdir, args.workers) as url:
        for name in args.only or sorted(ENDPOINTS):
            results[name] = asyncio.run(
                load(url, ENDPOINTS[name], token, args.clients, args.seconds)
            )
            print(name, json.dumps(results[name]), flush=True)
        if args.burst:
            connection_id = webhook_connection(env)
            results["webhook_burst"] = asyncio.run(
                burst(url, connection_id, args.burst, args.clients)
            )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
