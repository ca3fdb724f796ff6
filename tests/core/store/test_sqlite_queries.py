"""SQLite only: the queries' plans (indexes, never a full scan) and the hourly rollups.

The plan tests pin the index each query relies on, so a schema or query change
that silently falls back to scanning a million rows fails here rather than in
production. The rollup tests check that the rollups always equal a recount of
the logs (after duplicates, purges and the version 2 backfill).
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import Entity, LogEntry, LogLevel, LogStatus, Operation, System
from core.store.queries import Bucket, KpiGroup, LogFilter
from core.store.sqlite import SqliteStore
from core.store.sqlite.codec import to_us
from core.store.sqlite.kpis import kpi_sql, p95_branch, p95_index, volume_sql
from core.store.sqlite.logs import log_count_sql, log_page_sql, page_index
from core.store.sqlite.schema import V1
from tests.core.store.builders import DAY, ORG, T0, at, log


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "toothpick.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(path)
    yield opened
    opened.close()


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def rollup_rows(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    check = raw(path)
    return (
        check.execute("SELECT * FROM log_hours ORDER BY 1, 2, 3, 4").fetchall(),
        check.execute("SELECT * FROM volume_hours ORDER BY 1, 2, 3").fetchall(),
    )


def mixed_logs(count: int) -> list[LogEntry]:
    operations = [Operation.SYNC, Operation.PULL, Operation.PUSH, Operation.RECORD]
    return [
        log(at(minutes=17 * n), id=f"l{n}", operation=operations[n % 4], system=System.ZOHO,
            connection_id=f"c{n % 3}", entity=Entity.CONTACT if n % 4 else None,
            level=LogLevel.ERROR if n % 5 == 0 else LogLevel.INFO,
            status=LogStatus.ERROR if n % 5 == 0 else LogStatus.SUCCESS,
            duration_ms=None if n % 7 == 0 else 10.0 * n, records_processed=n)
        for n in range(count)
    ]  # fmt: skip


# What versions 5 to 7 added (alert lifecycle, thresholds, notifications, leases).
# Versions 13 (run retries and limits) and 12 (sessions, marks) first: a file taken back
# to 9 must not keep them.
UNDO_VERSION_13 = (
    "ALTER TABLE runs DROP COLUMN retries; ALTER TABLE connections DROP COLUMN run_limits;"
)
UNDO_VERSION_12 = "DROP TABLE sessions; DROP TABLE marks;"  # sign-in sessions, shared marks
UNDO_VERSION_10 = (
    UNDO_VERSION_13
    + UNDO_VERSION_12
    + "DROP TABLE logs_text; DROP TABLE records; DROP TABLE record_changes; "
    + ("DROP TABLE record_streams;")
    + (
        "".join(
            f"{statement};"
            for statement in V1
            if any(name in statement for name in ("TABLE records", "ON records", "record_changes"))
        )
    )
)
UNDO_VERSIONS_7_TO_10 = (
    UNDO_VERSION_10
    + """
    DROP INDEX alerts_one_open;
    ALTER TABLE alerts DROP COLUMN acknowledged_by;
    ALTER TABLE alerts DROP COLUMN resolved_at;
    ALTER TABLE alerts DROP COLUMN resolved_by;
    CREATE UNIQUE INDEX alerts_one_open
        ON alerts (organisation_id, coalesce(connection_id, ''), kind)
        WHERE acknowledged_at IS NULL;
    ALTER TABLE connections DROP COLUMN alert_thresholds;
    DROP TABLE notification_channels;
    DROP TABLE notifications;
    DROP TABLE leases;
"""
)


def test_migrating_from_version_1_fills_the_rollups_from_the_stored_logs(
    store: SqliteStore, path: Path
) -> None:
    store.append_logs(mixed_logs(300))
    store.close()
    expected = rollup_rows(path)
    downgrade = raw(path)  # back to what version 1 had: no rollups, no sync indexes
    downgrade.executescript(UNDO_VERSIONS_7_TO_10)
    downgrade.executescript(
        "DROP TABLE log_hours; DROP TABLE volume_hours; DROP TABLE record_issues; "
        "PRAGMA user_version = 1;"
        + "".join(
            f"DROP INDEX {p95_index(g, b)};" for g in (*KpiGroup, None) for b in (*Bucket, None)
        )
    )

    SqliteStore.open(path).close()

    assert len(expected[0]) > 50 and len(expected[1]) > 50
    assert rollup_rows(path) == expected


def test_rollups_always_equal_a_recount_of_the_logs(store: SqliteStore, path: Path) -> None:
    entries = mixed_logs(400)
    store.append_logs(entries[:250])
    store.append_logs(entries[200:])  # 50 duplicates are ignored, not counted twice
    store.purge_logs(at(minutes=17 * 120 + 1))
    store.close()
    rebuilt = path.with_name("rebuilt.db")
    fresh = SqliteStore.open(rebuilt)
    fresh.append_logs(entries[121:])
    fresh.close()

    assert rollup_rows(path) == rollup_rows(rebuilt)


def _plan(store: SqliteStore, sql: str, params: Any) -> str:
    rows = store._db.connection().execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return "\n".join(row[3] for row in rows)


@pytest.mark.parametrize(
    "query",
    [
        LogFilter(),
        LogFilter(since=T0, until=T0 + DAY),
        LogFilter(systems=[System.SALESFORCE], since=T0),
        LogFilter(systems=[System.SALESFORCE], statuses=[LogStatus.ERROR], since=T0),
        LogFilter(statuses=[LogStatus.ERROR]),
        LogFilter(connection_ids=["c1"]),
        LogFilter(run_id="r1"),
        LogFilter(levels=[LogLevel.ERROR], since=T0),
        LogFilter(operations=[Operation.SYNC], since=T0),
    ],
)
def test_log_queries_use_an_index(store: SqliteStore, query: LogFilter) -> None:
    count_sql, count_params = log_count_sql(ORG, query)
    assert "SCAN" not in _plan(store, count_sql, count_params)
    for total in (10, 10**6):  # sparse matches: the filter's index; dense: logs_time
        page_sql, page_params = log_page_sql(ORG, query, offset=50, limit=50, total=total)
        plan = _plan(store, page_sql, page_params)
        assert plan.startswith(f"SEARCH logs USING INDEX {page_index(query, total)} (")
        assert "SCAN" not in plan


def test_sparse_matches_are_read_through_the_most_selective_index() -> None:
    both = LogFilter(run_id="r1", systems=[System.SAP], statuses=[LogStatus.ERROR])

    assert page_index(both, 100) == "logs_run"
    assert page_index(both.model_copy(update={"run_id": None}), 100) == "logs_system"
    assert page_index(LogFilter(statuses=[LogStatus.ERROR]), 100) == "logs_status"
    assert page_index(LogFilter(text="timeout"), 100) == "rowid"  # the text index's matches
    assert page_index(LogFilter(text="ti"), 100) == "logs_time"  # too short for a trigram
    assert page_index(both, 1_000_000) == "logs_time"


@pytest.mark.parametrize("group_by", [KpiGroup.SYSTEM, KpiGroup.CONNECTION, None])
@pytest.mark.parametrize("bucket", [Bucket.HOUR, Bucket.DAY, None])
def test_kpis_read_rollups_and_indexes_only(
    store: SqliteStore, group_by: KpiGroup | None, bucket: Bucket | None
) -> None:
    key = {KpiGroup.SYSTEM: " AND system=?", KpiGroup.CONNECTION: " AND connection_id=?"}
    p95_seek = (
        f"organisation_id=? AND operation=?{key[group_by] if group_by else ''}"
        f"{' AND <expr>=?' if bucket else ''} AND duration_ms>?"
    )
    since = T0 + timedelta(minutes=7)
    sql, params = kpi_sql(
        ORG, since=since, until=since + 30 * DAY, group_by=group_by, bucket=bucket
    )
    plan = _plan(store, sql, params)
    branch_params = [ORG, *(["k"] if group_by else []), *([1] if bucket else []), 0, 1, 0]
    p95_plan = _plan(store, p95_branch(group_by, bucket), branch_params)

    assert "SEARCH log_hours USING PRIMARY KEY (organisation_id=? AND hour_start>? AND" in plan
    assert "logs_operation (organisation_id=? AND operation=? AND time>? AND time<?)" in plan
    assert "logs_level (organisation_id=? AND level=? AND time>? AND time<?)" in plan
    assert "SCAN logs" not in plan
    # Each group's p95 is a walk down its own ordered index: no sort, no other index.
    assert p95_plan.endswith(f"USING COVERING INDEX {p95_index(group_by, bucket)} ({p95_seek})")
    assert "TEMP B-TREE" not in p95_plan


WINDOW_P95 = """
SELECT k, b, MIN(d) FROM (
    SELECT {key} AS k, {bucket} AS b, duration_ms AS d,
           cume_dist() OVER (PARTITION BY {key}, {bucket} ORDER BY duration_ms) AS share
    FROM logs WHERE organisation_id = ? AND operation = 'sync' AND time >= ? AND time < ?
      AND duration_ms IS NOT NULL
) WHERE share >= 0.95 GROUP BY k, b
"""


def nearest_rank_p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


@pytest.mark.parametrize("group_by", [KpiGroup.SYSTEM, KpiGroup.CONNECTION, None])
@pytest.mark.parametrize("bucket", [Bucket.HOUR, Bucket.DAY, None])
def test_p95_matches_a_window_function_and_python(
    store: SqliteStore, group_by: KpiGroup | None, bucket: Bucket | None
) -> None:
    rng = random.Random(11)
    systems = [System.SAP, System.ZOHO, System.HUBSPOT]
    entries = [
        log(T0 + timedelta(minutes=rng.randrange(3 * 24 * 60)), operation=Operation.SYNC,
            system=rng.choice(systems), connection_id=f"c{rng.randrange(4)}",
            duration_ms=None if rng.random() < 0.1 else float(rng.choice(range(5, 400, 5))))
        for _ in range(1500)
    ]  # fmt: skip
    store.append_logs(entries)
    since, until = T0 + timedelta(hours=5, minutes=13), T0 + timedelta(days=2, minutes=41)

    rows = store.kpis(ORG, since=since, until=until, group_by=group_by, bucket=bucket)

    column = {KpiGroup.SYSTEM: "system", KpiGroup.CONNECTION: "connection_id", None: "NULL"}
    width = {Bucket.HOUR: 3_600_000_000, Bucket.DAY: 86_400_000_000, None: 0}[bucket]
    window = WINDOW_P95.format(
        key=column[group_by], bucket=f"(time / {width}) * {width}" if width else "NULL"
    )
    params = [ORG, to_us(since), to_us(until)]
    reference = {(k, b): p95 for k, b, p95 in store._db.connection().execute(window, params)}
    by_group: dict[tuple[object, object], list[float]] = {}
    for entry in entries:
        if since <= entry.time < until and entry.duration_ms is not None:
            keys = {KpiGroup.SYSTEM: entry.system, KpiGroup.CONNECTION: entry.connection_id}
            group = (
                keys[group_by] if group_by else None,
                to_us(entry.time) // width * width if width else None,
            )
            by_group.setdefault(group, []).append(entry.duration_ms)
    python = {group: nearest_rank_p95(values) for group, values in by_group.items()}

    found = {
        (r.key, None if r.bucket_start is None else to_us(r.bucket_start)): r.p95_duration_ms
        for r in rows
    }
    assert len(found) >= (3 if group_by or bucket else 1)
    assert found == reference == python


def test_volume_reads_rollups_and_indexes_only(store: SqliteStore) -> None:
    since = T0 + timedelta(minutes=7)
    sql, params = volume_sql(ORG, since=since, until=since + 30 * DAY, bucket=Bucket.DAY)
    plan = _plan(store, sql, params)

    assert "SEARCH volume_hours USING PRIMARY KEY (organisation_id=? AND hour_start>? AND" in plan
    assert "logs_operation (organisation_id=? AND operation=? AND time>? AND time<?)" in plan
    assert "SCAN logs" not in plan


def test_a_common_text_with_a_rare_filter_is_tested_entry_by_entry(store: SqliteStore) -> None:
    """The text index answers a rare text; a text more common than the other filters'
    selection is tested on that selection instead. The answer is the same either way."""
    entries = [
        log(at(minutes=n), id=f"t{n}", message=f"Timeout on page {n}" if n % 2 else f"ok {n}",
            status=LogStatus.ERROR if n % 10 == 1 else LogStatus.SUCCESS)
        for n in range(60)
    ]  # fmt: skip
    store.append_logs(entries)
    common = LogFilter(text="TIMEOUT", statuses=[LogStatus.ERROR])
    rare = LogFilter(text="page 31", statuses=[LogStatus.ERROR])

    for query in (common, rare):
        page = store.query_logs(ORG, query, limit=4)
        expected = [
            e.id for e in reversed(entries)
            if (query.text or "").casefold() in e.message.casefold() and e.status is LogStatus.ERROR
        ]  # fmt: skip
        assert (page.total, [e.id for e in page.items]) == (len(expected), expected[:4])
    count_sql, count_params = log_count_sql(ORG, common, scan_text=True)
    plan = _plan(store, count_sql, count_params)
    assert plan.startswith("SEARCH logs USING INDEX logs_status (") and "logs_text" not in plan
    assert "logs_text" in _plan(store, *log_count_sql(ORG, rare))
