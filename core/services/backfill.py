"""Mapping changes backfill: mapping or unmapping a field brings every stored record along.

A connection's field mapping decides what every stored record holds, so a change to it
leaves every stored record of that entity out of date: a newly mapped field is empty
until the record changes at the vendor, an unmapped one keeps its old value. On each
change the affected entities get a backfill run (SyncOptions.backfill, with the changed
fields): unmapped fields are cleared in the store without a vendor call, newly mapped
ones are read alone and merged (core.sync.backfill_pull); no push, no cursor moved,
other entities untouched.

A connection runs one run at a time, so a change made while a run is queued or in
flight cannot queue its backfill at once. It is then recorded as pending (a log entry of
the connection with the fields) and queued as soon as that run ends
(`queue_pending`, from SyncService.record_outcome): pending changes pile up until one
backfill covers them all; one still refused (another run came first) waits for the next
run's end. A backfill run that fails for good (its retries spent, or a failure no retry
helps) leaves its fields pending again, for the end of the connection's next run: the
stored records stay out of date until one backfill succeeds, and the connection's log
says so; never at its own end, which would retry a failing backfill in a loop.

The run in flight keeps the mapping it started with: each record it stores is complete
under that mapping (its adapter was opened with it), never a half of the new one; the
backfill after it brings every record to the new mapping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from core.errors import RunAlreadyActiveError, ToothpickError
from core.models import (
    Connection,
    Direction,
    Entity,
    FieldOverride,
    LogEntry,
    LogLevel,
    LogStatus,
    Operation,
    RunState,
    RunTrigger,
    SyncOptions,
    SyncRun,
)
from core.redaction import redact
from core.schemas import LogFilter
from core.store.base import Store

log = logging.getLogger(__name__)

QueueSync = Callable[..., SyncRun]
Fields = dict[Entity, list[str]]
PENDING, QUEUED = "pending", "queued"
LOOK_BACK = 500  # connection changes scanned for pending backfills (newest first)


def mapping_changes(
    before: list[FieldOverride], after: list[FieldOverride]
) -> dict[Entity, list[str]]:
    """Per entity, the canonical fields whose mapping was added, changed or removed."""
    old = {(o.entity, o.canonical_field): o for o in before}
    new = {(o.entity, o.canonical_field): o for o in after}
    changed: dict[Entity, list[str]] = {}
    for key in sorted(old.keys() | new.keys()):
        if old.get(key) != new.get(key):
            changed.setdefault(key[0], []).append(key[1])
    return changed


def _words(fields: Fields) -> str:
    return "; ".join(f"{e.value}: {', '.join(names)}" for e, names in fields.items())


def _union(into: Fields, more: dict[str, Any]) -> None:
    for entity, names in more.items():
        kept = into.setdefault(Entity(entity), [])
        kept.extend(n for n in names if n not in kept)


def _marker(state: str, fields: Fields, **more: Any) -> dict[str, Any]:
    return {"backfill": {"state": state, "fields": {e.value: n for e, n in fields.items()}, **more}}


class MappingBackfill:
    def __init__(self, *, store: Store, queue_sync: QueueSync) -> None:
        self._store = store
        self._queue_sync = queue_sync

    def __call__(self, before: Connection, after: Connection) -> None:
        changed = mapping_changes(before.field_overrides, after.field_overrides)
        fields = {e: n for e, n in changed.items() if not after.entities or e in after.entities}
        if not fields:
            return
        what = _words(fields)
        try:
            run = self._queue(after, fields)
        except RunAlreadyActiveError as exc:
            self._log(
                after,
                f"Field mapping changed ({what}): a run is in progress (run {exc.run_id}); "
                "the stored records are backfilled by a run queued as soon as it ends",
                _marker(PENDING, fields, after_run=exc.run_id),
                ok=False,
            )
            return
        except ToothpickError as exc:
            self._log(
                after,
                f"Field mapping changed ({what}); no backfill queued: {exc}",
                _marker(PENDING, fields),
                ok=False,
            )
            return
        self._log(
            after,
            f"Field mapping changed ({what}): backfill queued (run {run.id}): unmapped fields "
            "are cleared in the stored records, newly mapped ones read alone",
            _marker(QUEUED, fields, run_id=run.id),
            ok=True,
        )

    def queue_pending(self, run: SyncRun) -> SyncRun | None:
        """After `run` ended: queue one backfill for every mapping change still pending on
        its connection; None when nothing is pending or another run came first (the
        changes stay pending for the end of that one)."""
        connection = self._store.get_connection(run.organisation_id, run.connection_id)
        if connection is None:
            return None
        if run.options.backfill and not run.options.dry_run:
            ended = self._store.get_run(run.organisation_id, run.id)
            if ended is not None and ended.state is RunState.FAILED:
                self._pend_again(connection, ended)
                return None
        fields = self.pending(connection)
        if not fields:
            return None
        try:
            follow = self._queue(connection, fields)
        except ToothpickError as exc:  # another run is active, or the connection disabled
            log.info("backfill of %s still pending: %s", connection.id, exc)
            return None
        self._log(
            connection,
            f"Field mapping changed during run {run.id} ({_words(fields)}): backfill queued "
            f"after it (run {follow.id})",
            _marker(QUEUED, fields, run_id=follow.id, after_run=run.id),
            ok=True,
        )
        return follow

    def _pend_again(self, connection: Connection, failed: SyncRun) -> None:
        fields = {Entity(e): list(n) for e, n in failed.options.backfill_fields.items()}
        if not fields:
            return
        self._log(
            connection,
            f"Backfill run {failed.id} failed ({_words(fields)}): the stored records keep "
            "their old values for these fields until a backfill succeeds; it is queued again "
            "when the connection's next run ends",
            _marker(PENDING, fields, failed_run=failed.id),
            ok=False,
        )

    def pending(self, connection: Connection) -> Fields:
        """The fields of the mapping changes logged since the last backfill was queued."""
        entries = self._store.query_logs(
            connection.organisation_id,
            LogFilter(connection_ids=[connection.id], operations=[Operation.UPDATE_CONNECTION]),
            limit=LOOK_BACK,
        ).items
        fields: Fields = {}
        for entry in entries:  # newest first
            marker = entry.metadata.get("backfill") if entry.metadata else None
            if not isinstance(marker, dict):
                continue
            if marker.get("state") == QUEUED:
                break
            _union(fields, marker.get("fields") or {})
        wanted = connection.entities
        return {e: n for e, n in fields.items() if not wanted or e in wanted}

    def _queue(self, connection: Connection, fields: Fields) -> SyncRun:
        options = SyncOptions(
            entities=list(fields),
            direction=Direction.PULL,
            backfill=True,
            backfill_fields=fields,
        )
        return self._queue_sync(
            connection.organisation_id, connection.id, options, trigger=RunTrigger.MANUAL
        )

    def _log(
        self, connection: Connection, message: str, metadata: dict[str, Any], *, ok: bool
    ) -> None:
        self._store.append_logs(
            [
                LogEntry(
                    organisation_id=connection.organisation_id,
                    connection_id=connection.id,
                    system=connection.system,
                    operation=Operation.UPDATE_CONNECTION,
                    level=LogLevel.INFO if ok else LogLevel.WARNING,
                    status=LogStatus.SUCCESS if ok else LogStatus.WARNING,
                    message=redact(message),
                    metadata=metadata,
                )
            ]
        )
