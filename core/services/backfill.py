"""Mapping changes backfill: mapping or unmapping a field re-reads the affected entities.

A connection's field mapping decides what every stored record holds, so a change to it
leaves every stored record of that entity out of date: a newly mapped field is empty
until the record changes at the vendor, an unmapped one keeps its old value. On each
change the affected entities get a backfill run (SyncOptions.backfill): one listing of
the vendor's records compared with the stored ones by content, every record whose
mapped data differs stored again through the pull's decisions (core.sync.reconcile), so
new fields fill in and unmapped ones clear, without a full sync of the connection (no
push, no cursor moved, other entities untouched). The log says what changed and that
the backfill runs; behind a sync in progress it says to start one afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

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
    RunTrigger,
    SyncOptions,
    SyncRun,
)
from core.redaction import redact
from core.store.base import Store

QueueSync = Callable[..., SyncRun]


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


class MappingBackfill:
    def __init__(self, *, store: Store, queue_sync: QueueSync) -> None:
        self._store = store
        self._queue_sync = queue_sync

    def __call__(self, before: Connection, after: Connection) -> None:
        changed = mapping_changes(before.field_overrides, after.field_overrides)
        entities = [e for e in changed if not after.entities or e in after.entities]
        if not entities:
            return
        what = "; ".join(f"{e.value}: {', '.join(changed[e])}" for e in entities)
        options = SyncOptions(entities=entities, direction=Direction.PULL, backfill=True)
        try:
            run = self._queue_sync(
                after.organisation_id, after.id, options, trigger=RunTrigger.MANUAL
            )
        except RunAlreadyActiveError:
            self._log(
                after,
                f"Field mapping changed ({what}); stored records still hold the old mapping: "
                "a sync is in progress, so start Sync now > Reconcile (or a full sync) after "
                "it to backfill and clear those fields",
                ok=False,
            )
            return
        except ToothpickError as exc:
            self._log(after, f"Field mapping changed ({what}); no backfill queued: {exc}", ok=False)
            return
        self._log(
            after,
            f"Field mapping changed ({what}): every stored record of "
            f"{', '.join(e.value for e in entities)} is re-read to backfill and clear those "
            f"fields (run {run.id})",
            ok=True,
        )

    def _log(self, connection: Connection, message: str, *, ok: bool) -> None:
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
                )
            ]
        )
