"""Hourly rollups of the log figures the dashboard adds up (schema version 2).

Why: at a million entries, grouping raw rows costs a sort of every matching row
per query (volume by entity read 900k rows in about a second). The additive
figures (runs, successes, failures, duration sums, records moved, errors,
volume) are therefore kept per hour, organisation, system and connection (or
entity) in two small tables, maintained by SQL in the same transaction as
the log write or purge, so they can never disagree with the logs. A query
reads whole hours from the rollups and only its partial first and last hour
from the raw logs. The p95 cannot be added up and is still computed from raw
rows (see kpis.py).

Missing keys are stored as '' (SQLite treats NULLs in a primary key as
distinct, which would defeat the upsert) and read back as NULL.
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; no user value reaches it)

from __future__ import annotations

import sqlite3

from core.store.sqlite.codec import HOUR_US

_H = HOUR_US

V2: tuple[str, ...] = (
    """CREATE TABLE log_hours (
        organisation_id TEXT NOT NULL,
        hour_start INTEGER NOT NULL,
        system TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        runs INTEGER NOT NULL,
        succeeded INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        duration_count INTEGER NOT NULL,
        duration_sum REAL NOT NULL,
        records_moved INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        PRIMARY KEY (organisation_id, hour_start, system, connection_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE volume_hours (
        organisation_id TEXT NOT NULL,
        hour_start INTEGER NOT NULL,
        entity TEXT NOT NULL,
        entries INTEGER NOT NULL,
        records INTEGER NOT NULL,
        PRIMARY KEY (organisation_id, hour_start, entity)
    ) WITHOUT ROWID""",
    # KPIs no longer read status/records from this index; the p95 window reads durations.
    "DROP INDEX logs_operation",
    """CREATE INDEX logs_operation
        ON logs (organisation_id, operation, time, system, connection_id, duration_ms)""",
)

_KPI_UPSERT = f"""
INSERT INTO log_hours (organisation_id, hour_start, system, connection_id, runs, succeeded,
    failed, duration_count, duration_sum, records_moved, errors)
SELECT organisation_id, (time / {_H}) * {_H}, coalesce(system, ''), coalesce(connection_id, ''),
    {{sign}} * SUM(operation = 'sync'),
    {{sign}} * SUM(operation = 'sync' AND status = 'success'),
    {{sign}} * SUM(operation = 'sync' AND status = 'error'),
    {{sign}} * SUM(operation = 'sync' AND duration_ms IS NOT NULL),
    {{sign}} * TOTAL(CASE WHEN operation = 'sync' THEN duration_ms END),
    {{sign}} * SUM(CASE WHEN operation = 'sync' THEN records_processed ELSE 0 END),
    {{sign}} * SUM(level = 'error')
FROM {{source}} WHERE {{rows}} AND (operation = 'sync' OR level = 'error')
GROUP BY 1, 2, 3, 4
ON CONFLICT (organisation_id, hour_start, system, connection_id) DO UPDATE SET
    runs = runs + excluded.runs, succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed, duration_count = duration_count + excluded.duration_count,
    duration_sum = duration_sum + excluded.duration_sum,
    records_moved = records_moved + excluded.records_moved, errors = errors + excluded.errors
"""
_VOLUME_UPSERT = f"""
INSERT INTO volume_hours (organisation_id, hour_start, entity, entries, records)
SELECT organisation_id, (time / {_H}) * {_H}, entity, {{sign}} * COUNT(*),
    {{sign}} * SUM(records_processed)
FROM {{source}} WHERE {{rows}} AND operation IN ('pull', 'push') AND entity IS NOT NULL
GROUP BY 1, 2, 3
ON CONFLICT (organisation_id, hour_start, entity) DO UPDATE SET
    entries = entries + excluded.entries, records = records + excluded.records
"""


def migrate_to_v2(connection: sqlite3.Connection) -> None:
    """Migration step 2: create the rollups and fill them from the logs already stored."""
    for statement in V2:
        connection.execute(statement)
    add_new_rows(connection, after_seq=0)


def last_seq(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT coalesce(max(seq), 0) FROM logs").fetchone()[0])


def add_new_rows(connection: sqlite3.Connection, *, after_seq: int) -> None:
    """Count the rows just inserted (seq is assigned in increasing order).

    NOT INDEXED: left to itself the planner reads the new rows through an index that
    serves the GROUP BY, i.e. the whole index: 0.6 s per append at a million entries
    (every webhook delivery appends one). Without indexes it takes the seq (rowid)
    range, only the rows just written."""
    rows, source = f"seq > {int(after_seq)}", "logs NOT INDEXED"
    connection.execute(_KPI_UPSERT.format(sign="1", rows=rows, source=source))
    connection.execute(_VOLUME_UPSERT.format(sign="1", rows=rows, source=source))


def remove_rows(connection: sqlite3.Connection, *, selection: str) -> None:
    """Subtract rows about to be deleted (`selection` is a WHERE term on logs), then
    drop the rollup rows that no entry stands behind any more."""
    connection.execute(_KPI_UPSERT.format(sign="-1", rows=selection, source="logs"))
    connection.execute(_VOLUME_UPSERT.format(sign="-1", rows=selection, source="logs"))
    connection.execute("DELETE FROM log_hours WHERE runs = 0 AND errors = 0")
    connection.execute("DELETE FROM volume_hours WHERE entries = 0")
