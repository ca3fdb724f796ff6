"""Small builders for the contract suite: valid objects with only the fields a test cares about.

Times are fixed (T0 is a Monday, 00:00 UTC) so that expected values can be
computed by hand, and whole milliseconds, the precision MongoDB keeps (no
builder lets a default `utcnow()` with microseconds reach a store); ids are
spelled out where a test compares them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.clock import utcnow
from core.models import (
    Alert,
    AlertKind,
    Conflict,
    Connection,
    Entity,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    RecordWrite,
    SyncRun,
    System,
    content_hash,
)

T0 = datetime(2025, 3, 3, tzinfo=UTC)
ORG = "acme"
OTHER_ORG = "globex"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def after_now(*, hours: float) -> datetime:
    """For writes that the store stamps with the real clock (upserts) followed by
    edits stamped by the caller: whole milliseconds, safely after any upsert of the test."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000) + timedelta(hours=hours)


def at(*, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def connection(
    organisation_id: str = ORG,
    *,
    name: str = "Salesforce EU",
    system: System = System.SALESFORCE,
    **fields: Any,
) -> Connection:
    values: dict[str, Any] = {"created_at": T0, "updated_at": T0, **fields}
    return Connection(
        organisation_id=organisation_id,
        system=system,
        name=name,
        sealed_secret="tpv1.k1.bm9uY2U.Y2lwaGVy",
        **values,
    )


def log(
    time: datetime,
    *,
    organisation_id: str = ORG,
    operation: Operation = Operation.PULL,
    message: str = "pulled a page",
    **fields: Any,
) -> LogEntry:
    return LogEntry(
        organisation_id=organisation_id,
        time=time,
        operation=operation,
        message=message,
        **fields,
    )


def sync_log(
    conn: Connection,
    time: datetime,
    *,
    ok: bool,
    duration_ms: float | None,
    processed: int = 0,
    **fields: Any,
) -> LogEntry:
    """One finished run's summary entry (what KPIs are computed from)."""
    return log(
        time,
        organisation_id=conn.organisation_id,
        operation=Operation.SYNC,
        connection_id=conn.id,
        system=conn.system,
        status=LogStatus.SUCCESS if ok else LogStatus.ERROR,
        level=LogLevel.INFO if ok else LogLevel.ERROR,
        duration_ms=duration_ms,
        records_processed=processed,
        message="sync finished" if ok else "sync failed",
        **fields,
    )


def write(external_id: str, data: dict[str, Any], **fields: Any) -> RecordWrite:
    return RecordWrite(
        external_id=external_id, data=data, content_hash=content_hash(data), **fields
    )


def run(conn: Connection, created_at: datetime, **fields: Any) -> SyncRun:
    return SyncRun(
        organisation_id=conn.organisation_id,
        connection_id=conn.id,
        system=conn.system,
        created_at=created_at,
        **fields,
    )


def conflict(conn: Connection, external_id: str, **fields: Any) -> Conflict:
    values: dict[str, Any] = {
        "entity": Entity.CONTACT,
        "local": {"email": "local@example.com"},
        "remote": {"email": "remote@example.com"},
        "differing_fields": ["email"],
        "detected_at": T0,
        **fields,
    }
    return Conflict(
        organisation_id=conn.organisation_id,
        connection_id=conn.id,
        system=conn.system,
        external_id=external_id,
        **values,
    )


def alert(
    organisation_id: str = ORG,
    *,
    connection_id: str | None,
    kind: AlertKind = AlertKind.CONSECUTIVE_FAILURES,
    message: str = "3 syncs failed in a row",
    seen: datetime = T0,
    **fields: Any,
) -> Alert:
    return Alert(
        organisation_id=organisation_id,
        connection_id=connection_id,
        kind=kind,
        message=message,
        created_at=seen,
        last_seen_at=seen,
        **fields,
    )
