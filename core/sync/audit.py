"""The run's audit trail: log entries buffered per page and written in one batch.

Every operation of a run leaves a log entry (record failures, held conflicts,
per-entity pull/push summaries, the run summary that KPIs are computed from).
Messages are run through redaction before they are stored.
"""

from __future__ import annotations

import threading
from typing import Any

from core.errors import FailureCategory
from core.models import (
    Connection,
    Entity,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
)
from core.redaction import redact, redact_value
from core.store.base import Store


class RunAudit:
    def __init__(self, store: Store, connection: Connection, run_id: str, *, dry_run: bool) -> None:
        self._store = store
        self._connection = connection
        self._run_id = run_id
        self._dry_run = dry_run
        self._pending: list[LogEntry] = []
        self._lock = threading.Lock()  # entities of one run may log from several threads

    def add(
        self,
        operation: Operation,
        message: str,
        *,
        entity: Entity | None = None,
        level: LogLevel = LogLevel.INFO,
        status: LogStatus = LogStatus.SUCCESS,
        error_category: FailureCategory | None = None,
        metadata: dict[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        meta = dict(metadata or {})
        if self._dry_run:
            meta["dry_run"] = True
        entry = LogEntry(
            organisation_id=self._connection.organisation_id,
            connection_id=self._connection.id,
            system=self._connection.system,
            run_id=self._run_id,
            entity=entity,
            operation=operation,
            level=level,
            status=status,
            message=redact(message)[:4000],
            error_category=error_category,
            metadata=redact_value(meta),
            **fields,
        )
        with self._lock:
            self._pending.append(entry)

    def record_failure(
        self, entity: Entity, external_id: str | None, reason: str, *, operation: Operation
    ) -> None:
        label = f"{entity.value} {external_id}" if external_id else f"a {entity.value}"
        self.add(
            operation,
            f"{label} was not synced: {reason}",
            entity=entity,
            level=LogLevel.WARNING,
            status=LogStatus.ERROR,
            error_category=FailureCategory.DATA,
            records_failed=1,
            metadata={"external_id": external_id} if external_id else None,
        )

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            self._store.append_logs(pending)
