"""MongoStore figures: KPI query, filtered log page, log append rate, bulk record upsert.

    .venv/bin/python bench/mongo_bench.py --logs 100000 --records 100000
    .venv/bin/python bench/mongo_bench.py --uri mongodb://host:27017/   # a real server

Without --uri it starts the pinned nx-27017 stand-in (a MongoDB-wire server
backed by SQLite, ~4,000 inserts/s) on a free loopback port, and every figure
is labelled as the stand-in's: it says how our code behaves on that server,
not how MongoDB would. Rates are per second so runs of different sizes compare.
A measurement the stand-in cannot answer correctly (see STAND_IN_DEVIATIONS in
tests/support/mongo.py) is reported as such instead of timed.
"""

from __future__ import annotations

import argparse
import functools
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.clock import utcnow
from core.models import (
    Connection,
    Entity,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    RecordWrite,
    System,
    content_hash,
)
from core.store.mongo import MongoStore
from core.store.queries import Bucket, KpiGroup, LogFilter
from tests.support.mongo import STAND_IN, start_stand_in

ORG = "bench"
BATCH = 1000
REPEAT = 2  # best of, for the read queries


def timed(work: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best of `repeat` wall-clock seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def connections(store: MongoStore, count: int) -> list[Connection]:
    made = []
    for n in range(count):
        system = list(System)[n % len(System)]
        made.append(store.create_connection(Connection(
            organisation_id=ORG, system=system, name=f"{system.value}-{n}", sealed_secret="x",
        )))  # fmt: skip
    return made


def log_batches(conns: list[Connection], total: int, days: int) -> Iterator[list[LogEntry]]:
    rng, now = random.Random(7), utcnow()
    span = days * 86_400
    batch: list[LogEntry] = []
    for _ in range(total):
        conn = rng.choice(conns)
        roll = rng.random()
        operation = Operation.SYNC if roll < 0.1 else rng.choice([Operation.PULL, Operation.PUSH])
        failed = rng.random() < 0.05
        batch.append(LogEntry(
            organisation_id=ORG, connection_id=conn.id, system=conn.system,
            time=now - timedelta(seconds=rng.uniform(0, span)), operation=operation,
            entity=rng.choice([Entity.CONTACT, Entity.ACCOUNT, Entity.OPPORTUNITY]),
            level=LogLevel.ERROR if failed else LogLevel.INFO,
            status=LogStatus.ERROR if failed else LogStatus.SUCCESS,
            message=f"{operation.value} {'failed: timeout' if failed else 'done'} page {roll:.4f}",
            duration_ms=rng.uniform(50, 5000), records_processed=rng.randint(0, 200),
        ))  # fmt: skip
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def record_writes(count: int, *, changed_every: int = 0, version: int = 0) -> list[RecordWrite]:
    writes = []
    for n in range(count):
        data = {"email": f"user{n}@example.com", "name": f"User {n}", "score": n % 97}
        if changed_every and n % changed_every == 0:
            data["score"] = 1000 + version
        writes.append(
            RecordWrite(external_id=f"c{n:07d}", data=data, content_hash=content_hash(data))
        )
    return writes


def run(store: MongoStore, *, logs: int, records: int, label: str) -> None:
    print(f"server: {label}\n")
    conns = connections(store, 20)

    start = time.perf_counter()
    appended = sum(store.append_logs(batch) for batch in log_batches(conns, logs, days=30))
    seconds = time.perf_counter() - start
    print(f"append logs       {appended:>9,} entries in batches of {BATCH}: {seconds:8.2f} s"
          f"  = {appended / seconds:>9,.0f} entries/s")  # fmt: skip

    now = utcnow()
    since = now - timedelta(days=30)
    seconds, rows = timed(lambda: store.kpis(ORG, since=since, until=now), repeat=REPEAT)
    print(f"KPIs 30 days by system ({len(rows)} rows):               {seconds * 1000:8.1f} ms")
    if "nx-27017" in label:
        print(
            "KPIs 30 days by system and hour: not measurable on the stand-in"
            " (compound $group _id; see tests/support/mongo.py)"
        )
    else:
        seconds, rows = timed(
            lambda: store.kpis(
                ORG, since=since, until=now, group_by=KpiGroup.SYSTEM, bucket=Bucket.HOUR
            ),
            repeat=REPEAT,
        )
        print(f"KPIs 30 days by system and hour ({len(rows)} rows): {seconds * 1000:8.1f} ms")

    query = LogFilter(systems=[System.SALESFORCE, System.HUBSPOT], statuses=[LogStatus.SUCCESS],
                      since=now - timedelta(days=14))  # fmt: skip
    seconds, page = timed(lambda: store.query_logs(ORG, query, offset=50, limit=50), repeat=REPEAT)
    print(f"2nd page of 50 filtered logs (total {page.total:,}):     {seconds * 1000:8.1f} ms")
    text = LogFilter(text="TIMEOUT")
    seconds, page = timed(lambda: store.query_logs(ORG, text, offset=50, limit=50), repeat=REPEAT)
    print(f"2nd page of 50 text-filtered logs (total {page.total:,}): {seconds * 1000:8.1f} ms")

    conn = conns[0]
    for title, writes in (
        ("create", record_writes(records)),
        ("unchanged", record_writes(records)),
        ("10% changed", record_writes(records, changed_every=10, version=1)),
    ):
        upsert = functools.partial(
            store.upsert_records, ORG, conn.id, Entity.CONTACT, writes, run_id=None
        )
        seconds, result = timed(upsert)
        print(f"upsert {records:,} records, {title:<12} {seconds:8.2f} s  = "
              f"{records / seconds:>9,.0f} records/s  {result.model_dump()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", help="a MongoDB server; default: start the nx-27017 stand-in")
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    database = f"toothpick_bench_{secrets.token_hex(3)}"
    server = None
    if args.uri:
        uri, label = args.uri, "MongoDB (--uri)"
    else:
        server = start_stand_in(Path(tempfile.mkdtemp(prefix="toothpick-bench-")))
        uri, label = server.uri, f"{STAND_IN} stand-in (SQLite-backed), NOT a MongoDB server"
    store = MongoStore.connect(uri, database=database, log_retention_days=3650)
    try:
        run(store, logs=args.logs, records=args.records, label=label)
    finally:
        store.database.client.drop_database(database)
        store.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
