"""Dashboard aggregates, computed by SQLite.

Definitions shared with the MongoDB store and pinned by the contract suite:
- runs/succeeded/failed/durations/records_moved come from `sync` entries in
  [since, until); succeeded is status `success`, failed is status `error`;
  records_moved sums `records_processed`;
- p95 is the nearest-rank percentile: the value at rank ceil(0.95 n) of the n
  non-null durations sorted ascending (an observed value, never interpolated);
- errors counts entries of any operation with level `error`;
- buckets are UTC hours or days; rows are ordered by key, then bucket (None first).

How: additive figures come from the hourly rollups for the whole hours of the
window and from raw rows for its partial first and last hour (rollups.py).
The p95 is a window function (cume_dist, one sort) over the window's sync
durations, read from the covering index logs_operation: the smallest duration
whose cumulative share reaches 0.95 is exactly the nearest-rank p95, ties
included. It is the one figure that must touch every run of the window.
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import Entity, LogLevel
from core.store.queries import Bucket, CountRow, ErrorGroup, KpiGroup, KpiRow, VolumeRow
from core.store.sqlite.codec import DAY_US, HOUR_US, from_us, to_us
from core.store.sqlite.db import StoreArea

_KEY = {KpiGroup.SYSTEM: "system", KpiGroup.CONNECTION: "connection_id", None: None}
_ERROR_KEY = {ErrorGroup.SYSTEM: "system", ErrorGroup.CATEGORY: "error_category"}
_WIDTH = {Bucket.HOUR: HOUR_US, Bucket.DAY: DAY_US}
_RAW_RANGES = "((time >= :a1 AND time < :a2) OR (time >= :b1 AND time < :b2))"


def _bucket(column: str, bucket: Bucket | None) -> str:
    if bucket is None:
        return "NULL"
    return f"({column} / {_WIDTH[bucket]}) * {_WIDTH[bucket]}"


def window_params(organisation_id: str, since: datetime, until: datetime) -> dict[str, Any]:
    """Whole hours [full_from, full_to) come from rollups; the rest from raw rows."""
    start, end = to_us(since), to_us(until)
    full_from = -(-start // HOUR_US) * HOUR_US
    full_to = max(end // HOUR_US * HOUR_US, full_from)
    if full_from >= end:  # no whole hour inside the window: all of it is raw
        full_from = full_to = end
    return {
        "org": organisation_id, "since": start, "until": end,
        "full_from": full_from, "full_to": full_to,
        "a1": start, "a2": min(full_from, end), "b1": max(full_to, start), "b2": end,
    }  # fmt: skip


def kpi_sql(
    organisation_id: str,
    *,
    since: datetime,
    until: datetime,
    group_by: KpiGroup | None,
    bucket: Bucket | None,
) -> tuple[str, dict[str, Any]]:
    column = _KEY[group_by]
    raw_key = column or "NULL"
    hour_key = f"nullif({column}, '')" if column else "NULL"
    raw_b, hour_b = _bucket("time", bucket), _bucket("hour_start", bucket)
    sql = f"""
    WITH ranked AS (
        SELECT {raw_key} AS k, {raw_b} AS b, duration_ms AS d,
               cume_dist() OVER (PARTITION BY {raw_key}, {raw_b} ORDER BY duration_ms) AS share
        FROM logs
        WHERE organisation_id = :org AND operation = 'sync' AND time >= :since AND time < :until
          AND duration_ms IS NOT NULL
    ),
    facts (k, b, runs, ok, failed, n, total, moved, errors, p95) AS (
        SELECT {hour_key}, {hour_b}, runs, succeeded, failed, duration_count, duration_sum,
               records_moved, errors, NULL
        FROM log_hours
        WHERE organisation_id = :org AND hour_start >= :full_from AND hour_start < :full_to
        UNION ALL
        SELECT {raw_key}, {raw_b}, 1, status = 'success', status = 'error',
               duration_ms IS NOT NULL, coalesce(duration_ms, 0), records_processed,
               level = 'error', NULL
        FROM logs WHERE organisation_id = :org AND operation = 'sync' AND {_RAW_RANGES}
        UNION ALL
        SELECT {raw_key}, {raw_b}, 0, 0, 0, 0, 0, 0, 1, NULL
        FROM logs
        WHERE organisation_id = :org AND level = 'error' AND operation != 'sync' AND {_RAW_RANGES}
        UNION ALL
        SELECT k, b, 0, 0, 0, 0, 0, 0, 0, MIN(d) FROM ranked WHERE share >= 0.95 GROUP BY k, b
    )
    SELECT k, b, SUM(runs), SUM(ok), SUM(failed), SUM(total) / nullif(SUM(n), 0), MAX(p95),
           SUM(moved), SUM(errors)
    FROM facts GROUP BY k, b ORDER BY k, b
    """
    return sql, window_params(organisation_id, since, until)


def volume_sql(
    organisation_id: str, *, since: datetime, until: datetime, bucket: Bucket | None
) -> tuple[str, dict[str, Any]]:
    sql = f"""
    SELECT entity, b, SUM(records) FROM (
        SELECT entity, {_bucket("hour_start", bucket)} AS b, records FROM volume_hours
        WHERE organisation_id = :org AND hour_start >= :full_from AND hour_start < :full_to
        UNION ALL
        SELECT entity, {_bucket("time", bucket)}, records_processed FROM logs
        WHERE organisation_id = :org AND operation IN ('pull', 'push') AND entity IS NOT NULL
          AND {_RAW_RANGES}
    ) GROUP BY entity, b ORDER BY entity, b
    """
    return sql, window_params(organisation_id, since, until)


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
        with self._db.read() as db:
            rows = db.execute(sql, params).fetchall()
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
        sql, params = volume_sql(organisation_id, since=since, until=until, bucket=bucket)
        with self._db.read() as db:
            rows = db.execute(sql, params).fetchall()
        return [
            VolumeRow(
                entity=Entity(entity), bucket_start=None if b is None else from_us(b), records=n
            )
            for entity, b, n in rows
        ]

    def error_counts(
        self, organisation_id: str, *, since: datetime, until: datetime, group_by: ErrorGroup
    ) -> list[CountRow]:
        """Largest count first; ties by key. Reads the covering index logs_level only."""
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
