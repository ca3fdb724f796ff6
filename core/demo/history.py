"""Synthetic history of a demo connection: scheduled runs every 6 hours for 30
days, each with the log entries the engine writes (pulls, rate-limit waits,
skipped records, the closing `sync` entry the KPIs are computed from)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.demo.profiles import DemoConnection
from core.errors import FailureCategory
from core.models import (
    Entity,
    EntityCounts,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    RunState,
    RunTrigger,
    SyncRun,
)
from core.schemas import ConnectionPublic

RUN_EVERY = timedelta(hours=6)


@dataclass
class History:
    runs: list[SyncRun]
    logs: list[LogEntry]


def _counts(rng: random.Random, demo: DemoConnection, scale: float) -> dict[Entity, EntityCounts]:
    counts = {}
    for entity, mean in demo.volumes.items():
        read = max(int(rng.gauss(mean, mean * 0.35) * scale), 0)
        created = int(read * rng.uniform(0.03, 0.15))
        updated = int((read - created) * rng.uniform(0.1, 0.45))
        pages = max(math.ceil(read / demo.page_size), 1)
        wait = round(rng.uniform(2, 40), 1) if rng.random() < demo.rate_limit_share else 0.0
        counts[entity] = EntityCounts(
            pages=pages,
            api_calls=pages + 1,
            read=read,
            created=created,
            updated=updated,
            unchanged=read - created - updated,
            failed=int(read * 0.004) if rng.random() < demo.bad_record_share else 0,
            retries=int(rng.random() < 0.1),
            rate_limit_wait_s=wait,
        )
    return counts


# fmt: off
def _run_entries(
    run: SyncRun, demo: DemoConnection, rng: random.Random, duration_ms: float
) -> list[LogEntry]:
    base = {
        "organisation_id": run.organisation_id,
        "connection_id": run.connection_id,
        "system": run.system,
        "run_id": run.id,
    }
    at = run.started_at or run.created_at
    entries: list[LogEntry] = []
    for entity, counts in run.counts.items():
        at += timedelta(milliseconds=duration_ms / max(len(run.counts), 1))
        entries.append(
            LogEntry(
                **base, time=at, entity=entity, operation=Operation.PULL,
                message=f"Pulled {counts.read} {entity.value} records in {counts.pages} pages",
                duration_ms=duration_ms / max(len(run.counts), 1),
                records_processed=counts.read, records_created=counts.created,
                records_updated=counts.updated, records_failed=counts.failed,
                metadata={"pages": counts.pages, "api_calls": counts.api_calls, "demo": True},
            )
        )
        if counts.rate_limit_wait_s:
            entries.append(
                LogEntry(
                    **base, time=at, entity=entity, operation=Operation.PULL,
                    level=LogLevel.WARNING, status=LogStatus.WARNING, http_status=429,
                    message=f"{demo.label} asked us to slow down (429); waited "
                    f"{counts.rate_limit_wait_s:.0f} s and carried on",
                    error_category=FailureCategory.TRANSIENT,
                    metadata={"retry_after_s": counts.rate_limit_wait_s, "demo": True},
                )
            )
        if counts.failed:
            entries.append(
                LogEntry(
                    **base, time=at, entity=entity, operation=Operation.RECORD,
                    level=LogLevel.ERROR, status=LogStatus.ERROR,
                    message=f"{counts.failed} {entity.value} records skipped: "
                    + rng.choice(demo.record_problems),
                    records_failed=counts.failed, error_category=FailureCategory.DATA,
                    metadata={"external_id": f"{rng.randint(10000, 99999)}", "demo": True},
                )
            )
    failed = run.state is RunState.FAILED
    totals = run.totals
    entries.append(
        LogEntry(
            **base, time=run.finished_at or at, operation=Operation.SYNC,
            level=LogLevel.ERROR if failed else LogLevel.INFO,
            status=LogStatus.ERROR if failed else LogStatus.SUCCESS,
            message=f"Sync failed: {run.error}" if failed
            else f"Sync finished: {totals.read} read, {totals.created} created, "
            f"{totals.updated} updated, {totals.failed} failed",
            duration_ms=duration_ms, records_processed=totals.read,
            records_created=totals.created, records_updated=totals.updated,
            records_failed=totals.failed, error_category=run.error_category,
            http_status=503 if failed and run.error_category is FailureCategory.TRANSIENT
            else None,
            metadata={"trigger": run.trigger.value, "attempt": 1, "demo": True},
        )
    )
    return entries


# fmt: on
def history(
    connection: ConnectionPublic, demo: DemoConnection, *, now: datetime, days: int, seed: int
) -> History:
    """One scheduled run every 6 hours (with jitter) for `days` days before `now`."""
    rng = random.Random(f"{seed}:{connection.system.value}")
    runs: list[SyncRun] = []
    logs: list[LogEntry] = []
    at = now - timedelta(days=days)
    while at < now - timedelta(hours=1):
        created = at + timedelta(minutes=rng.uniform(-20, 20))
        daytime = 1.4 if 8 <= created.hour <= 18 else 0.6  # busier during office hours
        counts = _counts(rng, demo, daytime)
        read = sum(c.read for c in counts.values())
        duration_ms = (demo.seconds_base + read * demo.seconds_per_record) * 1000
        duration_ms *= math.exp(rng.gauss(0, 0.3))
        duration_ms += sum(c.rate_limit_wait_s for c in counts.values()) * 1000
        failure = rng.random() < demo.failure_rate or (
            demo.failing_tail and at > now - timedelta(hours=19)
        )
        error, category = rng.choice(demo.failures) if failure else (None, None)
        started = created + timedelta(seconds=rng.uniform(0.3, 3))
        run = SyncRun(
            organisation_id=connection.organisation_id,
            connection_id=connection.id,
            system=connection.system,
            trigger=RunTrigger.SCHEDULED,
            state=RunState.FAILED if failure else RunState.SUCCEEDED,
            created_at=created,
            started_at=started,
            finished_at=started + timedelta(milliseconds=duration_ms),
            heartbeat_at=started + timedelta(milliseconds=duration_ms),
            worker_id="demo",
            attempt=1,
            counts={} if failure and rng.random() < 0.5 else counts,
            error=error,
            error_category=category,
        )
        runs.append(run)
        logs.extend(_run_entries(run, demo, rng, duration_ms))
        at += RUN_EVERY
    return History(runs, logs)
