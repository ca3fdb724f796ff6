"""Dashboard aggregates, computed by SQLite (GROUP BY and window functions).

Definitions shared with the MongoDB store and pinned by the contract suite:
- runs/succeeded/failed/durations/records_moved come from `sync` entries in
  [since, until); succeeded is status `success`, failed is status `error`;
  records_moved sums `records_processed`.
- p95 is the nearest-rank percentile: the value at rank ceil(0.95 n) of the n
  non-null durations sorted ascending (an observed value, never interpolated).
- errors counts entries of any operation with level `error`.
- buckets are UTC hours or days; rows are ordered by key, then bucket (None first).

Only one row per (key, bucket) group reaches Python. The sync part reads the
covering index logs_operation and the error part logs_level, so neither
touches the table.
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import Entity, LogLevel, Operation
from core.store.queries import Bucket, CountRow, ErrorGroup, KpiGroup, KpiRow, VolumeRow
from core.store.sqlite.area import StoreArea
from core.store.sqlite.codec import DAY_US, HOUR_US, from_us, to_us

_KEY = {KpiGroup.SYSTEM: "system", KpiGroup.CONNECTION: "connection_id", None: "NULL"}
_ERROR_KEY = {ErrorGroup.SYSTEM: "system", ErrorGroup.CATEGORY: "error_category"}
_WIDTH = {Bucket.HOUR: HOUR_US, Bucket.DAY: DAY_US}


def _bucket(bucket: Bucket | None) -> str:
    if bucket is None:
        return "NULL"
    width = _WIDTH[bucket]
    return f"(time / {width}) * {width}"


def kpi_sql(
    organisation_id: str,
    *,
    since: datetime,
    until: datetime,
    group_by: KpiGroup | None,
    bucket: Bucket | None,
) -> tuple[str, dict[str, Any]]:
    key, start = _KEY[group_by], _bucket(bucket)
    sql = f"""
    WITH sync AS (
        SELECT {key} AS k, {start} AS b, status, duration_ms, records_processed
        FROM logs
        WHERE organisation_id = :org AND operation = :sync AND time >= :since AND time < :until
    ),
    ranked AS (
        SELECT k, b, status, duration_ms, records_processed,
               ROW_NUMBER() OVER (PARTITION BY k, b ORDER BY duration_ms IS NULL, duration_ms)
                   AS rn,
               COUNT(duration_ms) OVER (PARTITION BY k, b) AS n
        FROM sync
    ),
    facts AS (
        SELECT k, b, COUNT(*) AS runs, SUM(status = 'success') AS ok,
               SUM(status = 'error') AS failed, AVG(duration_ms) AS avg_ms,
               MAX(CASE WHEN duration_ms IS NOT NULL AND rn * 100 >= n * 95
                         AND (rn - 1) * 100 < n * 95 THEN duration_ms END) AS p95,
               SUM(records_processed) AS moved, 0 AS errors
        FROM ranked GROUP BY k, b
        UNION ALL
        SELECT {key} AS k, {start} AS b, 0, 0, 0, NULL, NULL, 0, COUNT(*)
        FROM logs
        WHERE organisation_id = :org AND level = :error AND time >= :since AND time < :until
        GROUP BY k, b
    )
    SELECT k, b, SUM(runs), SUM(ok), SUM(failed), MAX(avg_ms), MAX(p95), SUM(moved), SUM(errors)
    FROM facts GROUP BY k, b ORDER BY k, b
    """
    params = {
        "org": organisation_id,
        "sync": Operation.SYNC.value,
        "error": LogLevel.ERROR.value,
        "since": to_us(since),
        "until": to_us(until),
    }
    return sql, params


class KpisMixin(StoreArea):
    def kpis(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime,
        group_by: KpiGroup | None = KpiGroup.SYSTEM,
        bucket: Bucket | None = None,
    ) -> list[KpiRow]:
        sql, params = kpi_sql(
            organisation_id, since=since, until=until, group_by=group_by, bucket=bucket
        )
        with self._db.guard():
            rows = self._db.connection().execute(sql, params).fetchall()
        return [
            KpiRow(
                key=key,
                bucket_start=None if start is None else from_us(start),
                runs=runs,
                succeeded=ok,
                failed=failed,
                avg_duration_ms=avg_ms,
                p95_duration_ms=p95,
                records_moved=moved,
                errors=errors,
            )
            for key, start, runs, ok, failed, avg_ms, p95, moved, errors in rows
        ]

    def volume_by_entity(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime,
        bucket: Bucket | None = None,
    ) -> list[VolumeRow]:
        start = _bucket(bucket)
        sql = f"""
        SELECT entity, {start} AS b, SUM(records_processed)
        FROM logs
        WHERE organisation_id = ? AND operation IN (?, ?) AND time >= ? AND time < ?
          AND entity IS NOT NULL
        GROUP BY entity, b ORDER BY entity, b
        """
        params = (
            organisation_id,
            Operation.PULL.value,
            Operation.PUSH.value,
            to_us(since),
            to_us(until),
        )
        with self._db.guard():
            rows = self._db.connection().execute(sql, params).fetchall()
        return [
            VolumeRow(
                entity=Entity(entity),
                bucket_start=None if b is None else from_us(b),
                records=records,
            )
            for entity, b, records in rows
        ]

    def error_counts(
        self, organisation_id: str, *, since: datetime, until: datetime, group_by: ErrorGroup
    ) -> list[CountRow]:
        """Largest count first; ties by key."""
        key = _ERROR_KEY[group_by]
        sql = f"""
        SELECT {key} AS k, COUNT(*) AS c
        FROM logs
        WHERE organisation_id = ? AND level = ? AND time >= ? AND time < ?
        GROUP BY k ORDER BY c DESC, k
        """
        params = (organisation_id, LogLevel.ERROR.value, to_us(since), to_us(until))
        with self._db.guard():
            rows = self._db.connection().execute(sql, params).fetchall()
        return [CountRow(key=k, count=c) for k, c in rows]
