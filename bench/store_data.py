"""Seeded, realistic-looking data for bench/store_bench.py (any Store backend).

Logs look like a busy deployment's audit trail over `days` days: per run one
`sync` summary (about 1 entry in 10) among pulls, pushes and per-record
warnings; 5% errors; durations spread like real API latencies (log-normal).
Entries are produced in time order, in batches, as workers append them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from core.errors import FailureCategory
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

ORG = "bench"
ENTITIES = [Entity.CONTACT, Entity.ACCOUNT, Entity.OPPORTUNITY, Entity.PRODUCT, Entity.ORDER]
WORDS = [
    "contacts", "accounts", "orders", "page", "token", "retry", "timeout", "throttled",
    "quota", "refreshed", "mapped", "validated", "skipped", "duplicate", "email", "phone",
    "missing", "invalid", "currency", "warehouse",
]  # fmt: skip
CATEGORIES = [FailureCategory.TRANSIENT, FailureCategory.VENDOR, FailureCategory.DATA]


def make_connections(count: int) -> list[Connection]:
    systems = list(System)
    return [
        Connection(
            organisation_id=ORG,
            system=systems[n % len(systems)],
            name=f"{systems[n % len(systems)].value}-{n}",
            sealed_secret="tpv1.bench.bm9uY2U.Y2lwaGVy",
        )
        for n in range(count)
    ]


def log_batches(
    connections: list[Connection], *, total: int, until: datetime, days: int, batch: int
) -> Iterator[list[LogEntry]]:
    rng = random.Random(7)
    start = until - timedelta(days=days)
    step_us = days * 86_400_000_000 / total
    entries: list[LogEntry] = []
    for n in range(total):
        conn = rng.choice(connections)
        roll = rng.random()
        failed = rng.random() < 0.05
        operation = (
            Operation.SYNC if roll < 0.1
            else Operation.PULL if roll < 0.55
            else Operation.PUSH if roll < 0.9
            else Operation.RECORD
        )  # fmt: skip
        entries.append(
            LogEntry(
                time=start + timedelta(microseconds=int(n * step_us) + rng.randrange(1000)),
                organisation_id=ORG,
                connection_id=conn.id,
                system=conn.system,
                run_id=f"run-{n // 10}",
                entity=None if operation is Operation.SYNC else rng.choice(ENTITIES),
                operation=operation,
                level=LogLevel.ERROR if failed else LogLevel.INFO,
                status=LogStatus.ERROR if failed else LogStatus.SUCCESS,
                message=" ".join(rng.choices(WORDS, k=6)) + f" #{n}",
                duration_ms=round(math.exp(rng.gauss(6.0, 0.8)), 1),
                records_processed=rng.randrange(500),
                records_created=rng.randrange(20),
                records_updated=rng.randrange(50),
                http_status=503 if failed else 200,
                error_category=rng.choice(CATEGORIES) if failed else None,
            )
        )
        if len(entries) == batch:
            yield entries
            entries = []
    if entries:
        yield entries


def record_writes(count: int, *, version: int = 0, changed_every: int = 1) -> list[RecordWrite]:
    """`count` contacts; with version > 0, every `changed_every`-th one has changed."""
    writes = []
    for n in range(count):
        data = {
            "name": f"Contact {n}",
            "email": f"contact{n}@example.com",
            "phone": f"+34 600 {n:06d}",
            "company": f"Company {n % 977}",
            "title": "Buyer",
            "city": "Madrid",
            "score": n % 100,
            "tags": ["lead", "eu"],
            "revision": version if n % changed_every == 0 else 0,
        }
        writes.append(
            RecordWrite(external_id=f"C{n:07d}", data=data, content_hash=content_hash(data))
        )
    return writes
