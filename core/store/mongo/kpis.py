"""Dashboard aggregates computed inside MongoDB with aggregation pipelines.

Definitions are the contract suite's (see core/store/sqlite/kpis.py): run
figures come from `sync` entries in [since, until), `errors` counts entries of
any operation with level `error`, buckets are UTC hours or days, rows are
ordered by key then bucket (None first).

KPIs are two pipelines, one over the sync entries (served by the
`logs_org_operation_time` index) and one over the error entries
(`logs_org_level_time`), each a `$match` and a `$group`; only one row per
group per pipeline reaches Python, where the two are joined on the group key.
The p95 latency is the `$percentile` accumulator (MongoDB 7.0+) with
`method: "approximate"`, the method MongoDB offers. Buckets are `$dateTrunc`
in UTC; the group `_id` is a single expression when one dimension is asked
for and a `{key, bucket}` document when both are.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Any

from core.models import Entity, LogLevel, LogStatus, Operation
from core.store.mongo.base import MongoBase
from core.store.mongo.documents import Document
from core.store.mongo.logs import time_window
from core.store.mongo.schema import LOGS
from core.store.queries import Bucket, CountRow, ErrorGroup, KpiGroup, KpiRow, VolumeRow

_KEY_FIELD = {KpiGroup.SYSTEM: "$system", KpiGroup.CONNECTION: "$connection_id"}
_ERROR_FIELD = {ErrorGroup.SYSTEM: "$system", ErrorGroup.CATEGORY: "$error_category"}


def _window(organisation_id: str, since: datetime, until: datetime) -> Document:
    return {"organisation_id": organisation_id, "$and": time_window(since, until)}


def _group_id(key: str | None, bucket: Bucket | None) -> Any:
    """`key`, the bucket, both as `{key, bucket}`, or None for one overall row."""
    if bucket is None:
        return key
    start = {"$dateTrunc": {"date": "$time", "unit": bucket.value, "timezone": "UTC"}}
    return start if key is None else {"key": key, "bucket": start}


def _split_id(group_id: Any, *, keyed: bool, bucketed: bool) -> tuple[Any, Any]:
    if keyed and bucketed:
        return group_id["key"], group_id["bucket"]
    if bucketed:
        return None, group_id
    return (group_id if keyed else None), None


def _count_if(field: str, value: str) -> Document:
    return {"$sum": {"$cond": [{"$eq": [f"${field}", value]}, 1, 0]}}


def _hashable(group_id: Any) -> Hashable:
    """Group ids as dict keys, so the sync and error rows of one group meet."""
    if isinstance(group_id, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in group_id.items()))
    return group_id  # type: ignore[no-any-return]


def kpi_rows(
    sync_groups: Iterable[Document],
    error_groups: Iterable[Document],
    *,
    keyed: bool,
    bucketed: bool,
) -> list[KpiRow]:
    """Join the two pipelines' groups on their `_id`; order by key, then bucket (None first)."""
    groups: dict[Hashable, Document] = {}
    for doc in sync_groups:
        groups[_hashable(doc["_id"])] = doc
    for doc in error_groups:
        groups.setdefault(_hashable(doc["_id"]), {"_id": doc["_id"]})["errors"] = doc["errors"]
    rows = []
    for doc in groups.values():
        key, start = _split_id(doc["_id"], keyed=keyed, bucketed=bucketed)
        p95 = doc.get("p95")  # `$percentile` answers a list, one value per requested p
        rows.append(
            KpiRow(
                key=key,
                bucket_start=start,
                runs=doc.get("runs", 0),
                succeeded=doc.get("succeeded", 0),
                failed=doc.get("failed", 0),
                avg_duration_ms=doc.get("avg_duration_ms"),
                p95_duration_ms=p95[0] if isinstance(p95, list) and p95 else None,
                records_moved=doc.get("records_moved", 0),
                errors=doc.get("errors", 0),
            )
        )
    return sorted(rows, key=_row_order)


def _row_order(row: KpiRow) -> tuple[bool, str, bool, datetime]:
    start = row.bucket_start
    return (row.key is not None, row.key or "", start is not None, start or datetime.min)


class KpisMixin(MongoBase):
    def kpis(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime,
        group_by: KpiGroup | None = KpiGroup.SYSTEM,
        bucket: Bucket | None = None,
    ) -> list[KpiRow]:
        window = _window(organisation_id, since, until)
        group_id = _group_id(_KEY_FIELD[group_by] if group_by else None, bucket)
        sync_rows = self._col(LOGS).aggregate([
            {"$match": {**window, "operation": Operation.SYNC.value}},
            {"$group": {
                "_id": group_id,
                "runs": {"$sum": 1},
                "succeeded": _count_if("status", LogStatus.SUCCESS.value),
                "failed": _count_if("status", LogStatus.ERROR.value),
                "avg_duration_ms": {"$avg": "$duration_ms"},
                "p95": {"$percentile": {
                    "input": "$duration_ms", "p": [0.95], "method": "approximate",
                }},
                "records_moved": {"$sum": "$records_processed"},
            }},
        ])  # fmt: skip
        error_rows = self._col(LOGS).aggregate([
            {"$match": {**window, "level": LogLevel.ERROR.value}},
            {"$group": {"_id": group_id, "errors": {"$sum": 1}}},
        ])  # fmt: skip
        return kpi_rows(
            sync_rows, error_rows, keyed=group_by is not None, bucketed=bucket is not None
        )

    def sync_p95_ms(
        self, organisation_id: str, connection_id: str, *, since: datetime, until: datetime
    ) -> float | None:
        """Nearest rank, as the SQLite store: the value at rank n // 20 from the top."""
        match = {
            **_window(organisation_id, since, until),
            "operation": Operation.SYNC.value,
            "connection_id": connection_id,
            "duration_ms": {"$ne": None},
        }
        logs = self._col(LOGS)
        n = logs.count_documents(match)
        if not n:
            return None
        top = logs.find(match, {"duration_ms": 1}).sort("duration_ms", -1).skip(n // 20).limit(1)
        return next((doc["duration_ms"] for doc in top), None)

    def volume_by_entity(
        self,
        organisation_id: str,
        *,
        since: datetime,
        until: datetime,
        bucket: Bucket | None = None,
    ) -> list[VolumeRow]:
        pipeline: list[Document] = [
            {"$match": {
                **_window(organisation_id, since, until),
                "operation": {"$in": [Operation.PULL.value, Operation.PUSH.value]},
                "entity": {"$ne": None},
            }},
            {"$group": {
                "_id": _group_id("$entity", bucket),
                "records": {"$sum": "$records_processed"},
            }},
        ]  # fmt: skip
        rows = []
        for doc in self._col(LOGS).aggregate(pipeline):
            entity, start = _split_id(doc["_id"], keyed=True, bucketed=bucket is not None)
            rows.append(
                VolumeRow(entity=Entity(entity), bucket_start=start, records=doc["records"])
            )
        return sorted(rows, key=lambda r: (r.entity.value, r.bucket_start or since))

    def error_counts(
        self, organisation_id: str, *, since: datetime, until: datetime, group_by: ErrorGroup
    ) -> list[CountRow]:
        """Largest count first; ties by key (None first, as MongoDB sorts null first)."""
        pipeline: list[Document] = [
            {"$match": {**_window(organisation_id, since, until), "level": LogLevel.ERROR.value}},
            {"$group": {"_id": _ERROR_FIELD[group_by], "count": {"$sum": 1}}},
            {"$sort": {"count": -1, "_id": 1}},
        ]
        return [
            CountRow(key=doc["_id"], count=doc["count"])
            for doc in self._col(LOGS).aggregate(pipeline)
        ]
