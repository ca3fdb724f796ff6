"""Synced records: keyed bulk upserts that report what really changed, and sync states.

`upsert_records` sends the batch's (external id, content hash, deleted) triples
to SQLite as one JSON parameter and lets a single indexed join return only the
records that are new or differ; unchanged records are counted there and never
read into Python. Old data is fetched only for records whose hash changed,
because their RecordChange keeps only the top-level fields that changed. A
creation's change entry keeps no data at all: the record holds it, and the
history reads it back from there (core/store/history.py). Records are keyed by
their stream's integer id (streams.py).
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from core.clock import utcnow
from core.models import (
    ChangeKind,
    Entity,
    Record,
    RecordVersion,
    RecordWrite,
    SyncState,
    diff_fields,
)
from core.store.queries import PageState, UpsertResult, page_state
from core.store.sqlite.codec import (
    by_key,
    dump_dict,
    dump_json,
    load_json,
    opt_dt,
    opt_json,
    opt_us,
    to_us,
)
from core.store.sqlite.db import StoreArea, require_connection
from core.store.sqlite.streams import STREAM, stream_id

_KEY = "organisation_id = ? AND connection_id = ? AND entity = ?"
RECORD_COLUMNS = (
    "external_id, data, content_hash, source_created_at, source_updated_at, synced_at, "
    "deleted, deleted_at, local_change, local_changed_at, version"
)

_PROBE = """
WITH incoming AS (
    SELECT json_extract(value, '$[0]') AS external_id, json_extract(value, '$[1]') AS hash,
           json_extract(value, '$[2]') AS deleted
    FROM json_each(?)
)
SELECT i.external_id, r.seq, r.deleted, CASE WHEN i.deleted = 0 THEN r.data END AS old_data
FROM incoming AS i
LEFT JOIN records AS r ON r.stream = ? AND r.external_id = i.external_id
WHERE r.seq IS NULL OR r.deleted != i.deleted OR (i.deleted = 0 AND r.content_hash != i.hash)
"""
_INSERT = (
    "INSERT INTO records (stream, external_id, data, content_hash, source_created_at, "
    "source_updated_at, synced_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
)
_REPLACE = (
    "UPDATE records SET data = ?, content_hash = ?, "
    "source_created_at = coalesce(?, source_created_at), "
    "source_updated_at = coalesce(?, source_updated_at), synced_at = ?, deleted = 0, "
    "deleted_at = NULL, version = version + 1 WHERE seq = ?"
)
_DELETE = (
    "UPDATE records SET deleted = 1, deleted_at = ?, synced_at = ?, version = version + 1 "
    "WHERE seq = ?"
)
INSERT_CHANGE = (
    "INSERT INTO record_changes (stream, external_id, run_id, at, kind, before, after) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SAVE_STATE = (
    "INSERT INTO sync_states (organisation_id, connection_id, entity, cursor, "
    "checkpoint, last_full_sync_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (organisation_id, connection_id, entity) DO UPDATE SET "
    "cursor = excluded.cursor, checkpoint = excluded.checkpoint, "
    "last_full_sync_at = excluded.last_full_sync_at, updated_at = excluded.updated_at"
)


def record_from_row(row: sqlite3.Row, key: tuple[str, str, str]) -> Record:
    """A row of RECORD_COLUMNS, in the stream `key` (organisation, connection, entity)."""
    return Record.model_validate(
        {
            **{name: value for name, value in dict(row).items() if name != "seq"},
            "organisation_id": key[0],
            "connection_id": key[1],
            "entity": key[2],
            "data": load_json(row["data"]),
            "source_created_at": opt_dt(row["source_created_at"]),
            "source_updated_at": opt_dt(row["source_updated_at"]),
            "synced_at": opt_dt(row["synced_at"]),
            "deleted": bool(row["deleted"]),
            "deleted_at": opt_dt(row["deleted_at"]),
            "local_change": load_json(row["local_change"]),
            "local_changed_at": opt_dt(row["local_changed_at"]),
        }
    )


def changed_parts(
    before: dict[str, Any] | None, after: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Only the top-level fields that differ; a field missing on one side is absent there."""
    if before is None:
        return None, after
    fields = diff_fields(before, after)
    return (
        {name: before[name] for name in fields if name in before},
        {name: after[name] for name in fields if name in after},
    )


Rows = list[tuple[Any, ...]]
_CREATED, _DELETED = ChangeKind.CREATED.value, ChangeKind.DELETED.value
_RESTORED, _UPDATED = ChangeKind.RESTORED.value, ChangeKind.UPDATED.value


def _plan_writes(
    differing: list[sqlite3.Row],
    latest: dict[str, RecordWrite],
    *,
    stream: int,
    now: int,
    run_id: str | None,
) -> tuple[UpsertResult, Rows, Rows, Rows, Rows]:
    """Turn the probe's answer (only new or differing records) into row batches.

    Runs once per stored record: counts are plain integers until the end (a pydantic
    attribute set per record cost more than the row it counted) and data is serialised
    without the model check (a RecordWrite's data is a plain dict)."""
    inserts: Rows = []
    replaces: Rows = []
    deletes: Rows = []
    changes: Rows = []
    deleted = restored = updated = 0
    for external_id, seq, was_deleted, old_data in differing:
        write = latest[external_id]
        if seq is None and write.deleted:
            continue  # a deletion of a record never stored: nothing to do
        if seq is None:
            data = dump_dict(write.data)
            stamps = (opt_us(write.source_created_at), opt_us(write.source_updated_at), now)
            inserts.append((stream, external_id, data, write.content_hash, *stamps))
            changes.append((stream, external_id, run_id, now, _CREATED, None, None))
        elif write.deleted:
            deleted += 1
            deletes.append((now, now, seq))
            changes.append((stream, external_id, run_id, now, _DELETED, None, None))
        else:
            restored += bool(was_deleted)
            updated += not was_deleted
            stamps = (opt_us(write.source_created_at), opt_us(write.source_updated_at), now)
            replaces.append((dump_dict(write.data), write.content_hash, *stamps, seq))
            before, after = changed_parts(load_json(old_data), write.data)
            kind = _RESTORED if was_deleted else _UPDATED
            changes.append(
                (stream, external_id, run_id, now, kind, opt_json(before), opt_json(after))
            )
    result = UpsertResult(created=len(inserts), updated=updated, deleted=deleted, restored=restored)
    return result, inserts, replaces, deletes, changes


class RecordsMixin(StoreArea):
    def _read_by_ids(
        self,
        columns: str,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_ids: Sequence[str],
    ) -> list[sqlite3.Row]:
        sql = (
            f"SELECT {columns} FROM records WHERE stream = {STREAM} "
            "AND external_id IN (SELECT value FROM json_each(?))"
        )
        params = (organisation_id, connection_id, entity.value, dump_json(list(external_ids)))
        with self._db.guard():
            return self._db.connection().execute(sql, params).fetchall()

    def get_records(
        self, organisation_id: str, connection_id: str, entity: Entity, external_ids: Sequence[str]
    ) -> dict[str, Record]:
        if not external_ids:
            return {}
        columns = RECORD_COLUMNS
        rows = self._read_by_ids(columns, organisation_id, connection_id, entity, external_ids)
        key = (organisation_id, connection_id, entity.value)
        return {row["external_id"]: record_from_row(row, key) for row in rows}

    def get_record_versions(
        self, organisation_id: str, connection_id: str, entity: Entity, external_ids: Sequence[str]
    ) -> dict[str, RecordVersion]:
        if not external_ids:
            return {}
        columns = "external_id, content_hash, deleted, local_change, local_changed_at"
        rows = self._read_by_ids(columns, organisation_id, connection_id, entity, external_ids)
        return {
            external_id: RecordVersion(
                content_hash,
                bool(deleted),
                None if local_change is None else load_json(local_change),
                opt_dt(changed_at),
            )
            for external_id, content_hash, deleted, local_change, changed_at in rows
        }

    def upsert_records(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        writes: Sequence[RecordWrite],
        *,
        run_id: str | None,
        state: PageState | None = None,
    ) -> UpsertResult:
        """Duplicate external ids in one batch: the last write wins, counted once.
        `state` (the page's checkpoint) is saved in the same transaction."""
        latest = by_key(writes, lambda write: write.external_id)
        probe = dump_json(
            [[w.external_id, w.content_hash, int(w.deleted)] for w in latest.values()]
        )
        now = to_us(utcnow())
        with self._db.write() as db:
            stream = stream_id(db, organisation_id, connection_id, entity.value)
            differing = db.execute(_PROBE, (probe, stream)).fetchall()
            result, inserts, replaces, deletes, changes = _plan_writes(
                differing, latest, stream=stream, now=now, run_id=run_id
            )
            db.executemany(_INSERT, inserts)
            db.executemany(_REPLACE, replaces)
            db.executemany(_DELETE, deletes)
            db.executemany(INSERT_CHANGE, changes)
            result.unchanged = len(latest) - result.written
            saved = page_state(state, result)
            if saved is not None:
                _check_stream(saved, organisation_id, connection_id, entity)
                db.execute(_SAVE_STATE, _state_row(saved))
        return result

    def iter_records(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        *,
        pending_only: bool = False,
        include_deleted: bool = False,
        batch_size: int = 1000,
    ) -> Iterator[Record]:
        """Keyset pagination on external_id: every batch is one index seek."""
        terms = [f"stream = {STREAM}", "external_id > ?"]
        if pending_only:
            terms.append("local_change IS NOT NULL")  # matches the partial index records_pending
        if not include_deleted:
            terms.append("deleted = 0")
        sql = (
            f"SELECT {RECORD_COLUMNS} FROM records WHERE {' AND '.join(terms)} "
            "ORDER BY external_id LIMIT ?"
        )
        key = (organisation_id, connection_id, entity.value)
        batch_size, last = max(batch_size, 1), ""
        while True:
            with self._db.guard():
                params = (organisation_id, connection_id, entity.value, last, batch_size)
                rows = self._db.connection().execute(sql, params).fetchall()
            for row in rows:
                yield record_from_row(row, key)
            if len(rows) < batch_size:
                return
            last = rows[-1]["external_id"]

    def iter_external_ids(
        self, organisation_id: str, connection_id: str, entity: Entity, *, batch_size: int = 5000
    ) -> Iterator[str]:
        sql = (
            f"SELECT external_id FROM records WHERE stream = {STREAM} AND external_id > ? "
            "AND deleted = 0 "
            "ORDER BY external_id LIMIT ?"
        )
        batch_size, last = max(batch_size, 1), ""
        while True:
            with self._db.guard():
                params = (organisation_id, connection_id, entity.value, last, batch_size)
                ids = [row[0] for row in self._db.connection().execute(sql, params).fetchall()]
            yield from ids
            if len(ids) < batch_size:
                return
            last = ids[-1]

    def count_records(self, organisation_id: str, connection_id: str) -> dict[Entity, int]:
        sql = (
            "SELECT s.entity, COUNT(*) FROM record_streams AS s JOIN records AS r "
            "ON r.stream = s.id AND r.deleted = 0 WHERE s.organisation_id = ? "
            "AND s.connection_id = ? GROUP BY s.entity ORDER BY s.entity"
        )
        with self._db.guard():
            rows = self._db.connection().execute(sql, (organisation_id, connection_id))
            return {Entity(entity): count for entity, count in rows}

    def get_sync_state(
        self, organisation_id: str, connection_id: str, entity: Entity
    ) -> SyncState | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute(
                    f"SELECT * FROM sync_states WHERE {_KEY}",
                    (organisation_id, connection_id, entity.value),
                )
                .fetchone()
            )
        if row is None:
            return None
        return SyncState.model_validate(
            {
                **dict(row),
                "checkpoint": load_json(row["checkpoint"]),
                "last_full_sync_at": opt_dt(row["last_full_sync_at"]),
                "updated_at": opt_dt(row["updated_at"]),
            }
        )

    def save_sync_state(self, state: SyncState) -> None:
        with self._db.write() as db:
            require_connection(db, state.organisation_id, state.connection_id)
            db.execute(_SAVE_STATE, _state_row(state))


def _check_stream(
    state: SyncState, organisation_id: str, connection_id: str, entity: Entity
) -> None:
    if (state.organisation_id, state.connection_id, state.entity) != (
        organisation_id,
        connection_id,
        entity,
    ):
        raise ValueError("a sync state is saved only with its own stream's records")


def _state_row(state: SyncState) -> tuple[Any, ...]:
    return (
        state.organisation_id,
        state.connection_id,
        state.entity.value,
        state.cursor,
        opt_json(state.checkpoint),
        opt_us(state.last_full_sync_at),
        to_us(state.updated_at),
    )
