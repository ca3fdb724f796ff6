"""SQLite only: the queries' plans (indexes, never a full scan) and the hourly rollups.

The plan tests pin the index each query relies on, so a schema or query change
that silently falls back to scanning a million rows fails here rather than in
production. The rollup tests check that the rollups always equal a recount of
the logs (after duplicates, purges and the version 2 backfill).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import Entity, LogEntry, LogLevel, LogStatus, Operation, System
from core.store.queries import Bucket, KpiGroup, LogFilter
from core.store.sqlite import SqliteStore
from core.store.sqlite.kpis import kpi_sql, volume_sql
from core.store.sqlite.logs import log_count_sql, log_page_sql, page_index
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


def test_version_2_fills_the_rollups_from_logs_written_before_it(
    store: SqliteStore, path: Path
) -> None:
    store.append_logs(mixed_logs(300))
    store.close()
    expected = rollup_rows(path)
    downgrade = raw(path)
    downgrade.executescript("DELETE FROM log_hours; DELETE FROM volume_hours;")
    downgrade.executescript(
        "DROP TABLE log_hours; DROP TABLE volume_hours; PRAGMA user_version = 1;"
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
    assert page_index(LogFilter(text="timeout"), 100) == "logs_time"
    assert page_index(both, 1_000_000) == "logs_time"


@pytest.mark.parametrize("group_by", [KpiGroup.SYSTEM, KpiGroup.CONNECTION, None])
@pytest.mark.parametrize("bucket", [Bucket.HOUR, Bucket.DAY, None])
def test_kpis_read_rollups_and_indexes_only(
    store: SqliteStore, group_by: KpiGroup | None, bucket: Bucket | None
) -> None:
    since = T0 + timedelta(minutes=7)
    sql, params = kpi_sql(
        ORG, since=since, until=since + 30 * DAY, group_by=group_by, bucket=bucket
    )
    plan = _plan(store, sql, params)

    assert "SEARCH log_hours USING PRIMARY KEY (organisation_id=? AND hour_start>? AND" in plan
    assert (
        "SEARCH logs USING COVERING INDEX logs_operation (organisation_id=? AND operation=?" in plan
    )
    assert "logs_level (organisation_id=? AND level=? AND time>? AND time<?)" in plan
    assert "SCAN logs" not in plan


def test_volume_reads_rollups_and_indexes_only(store: SqliteStore) -> None:
    since = T0 + timedelta(minutes=7)
    sql, params = volume_sql(ORG, since=since, until=since + 30 * DAY, bucket=Bucket.DAY)
    plan = _plan(store, sql, params)

    assert "SEARCH volume_hours USING PRIMARY KEY (organisation_id=? AND hour_start>? AND" in plan
    assert "logs_operation (organisation_id=? AND operation=? AND time>? AND time<?)" in plan
    assert "SCAN logs" not in plan
