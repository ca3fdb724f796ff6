"""Edits made in ToothPick, their push to the vendor, and record history.

A `local:` record is one created in ToothPick that the vendor has not seen;
`mark_pushed` renames it to the id the vendor gave it and moves its history
along, so the record keeps one history under its real id. If a pull already
brought that vendor id in (the vendor echoed our own create back before the
push was acknowledged), the pulled copy is replaced by the pushed record.
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from core.clock import utcnow
from core.errors import NotFoundError
from core.models import ChangeKind, Entity, Record, RecordChange, content_hash
from core.store.history import needs_data, with_creation
from core.store.sqlite.codec import dump_json, from_us, load_json, opt_json, opt_us, to_us
from core.store.sqlite.db import StoreArea
from core.store.sqlite.records import (
    INSERT_CHANGE,
    RECORD_COLUMNS,
    changed_parts,
    record_from_row,
)
from core.store.sqlite.streams import STREAM, stream_id

_KEY = f"stream = {STREAM} AND external_id = ?"
LOCAL_PREFIX = "local:"


def _find(db: sqlite3.Connection, stream: int, external_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"SELECT seq, {RECORD_COLUMNS} FROM records WHERE stream = ? AND external_id = ?",
        (stream, external_id),
    ).fetchone()
    return row


def _missing(external_id: str) -> NotFoundError:
    return NotFoundError(f"Record {external_id} not found.")


class LocalChangesMixin(StoreArea):
    def set_local_change(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        fields: dict[str, Any],
        *,
        at: datetime,
    ) -> Record:
        scope = (organisation_id, connection_id, entity.value)
        at_us = to_us(at)
        with self._db.write() as db:
            stream = stream_id(db, *scope)
            row = _find(db, stream, external_id)
            if row is None and external_id.startswith(LOCAL_PREFIX):
                db.execute(
                    "INSERT INTO records (stream, external_id, data, content_hash, synced_at, "
                    "local_change, local_changed_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                    (
                        stream,
                        external_id,
                        dump_json(fields),
                        content_hash(fields),
                        at_us,
                        dump_json(fields),
                        at_us,
                    ),
                )
                before, after = None, fields
            elif row is None or row["deleted"]:
                raise _missing(external_id)
            else:
                old = load_json(row["data"])
                data = {**old, **fields}
                pending = {**(load_json(row["local_change"]) or {}), **fields}
                db.execute(
                    "UPDATE records SET data = ?, local_change = ?, local_changed_at = ?, "
                    "version = version + 1 WHERE seq = ?",
                    (dump_json(data), dump_json(pending), at_us, row["seq"]),
                )
                before, after = changed_parts(old, data)
            db.execute(
                INSERT_CHANGE,
                (
                    stream,
                    external_id,
                    None,
                    at_us,
                    ChangeKind.LOCAL_EDIT.value,
                    opt_json(before),
                    opt_json(after),
                ),
            )
            stored = _find(db, stream, external_id)
        assert stored is not None
        return record_from_row(stored, scope)

    def delete_locally(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        at: datetime,
    ) -> Record:
        scope = (organisation_id, connection_id, entity.value)
        return self._set_deleted_here(scope, external_id, deleting=True, at=at)

    def undo_local_delete(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        at: datetime,
    ) -> Record:
        scope = (organisation_id, connection_id, entity.value)
        return self._set_deleted_here(scope, external_id, deleting=False, at=at)

    def _set_deleted_here(
        self, scope: tuple[str, str, str], external_id: str, *, deleting: bool, at: datetime
    ) -> Record:
        """Delete a live record here (pending push, unless it is a `local:` one the vendor
        never had), or take back a deletion still pending; either way with its change."""
        at_us = to_us(at)
        with self._db.write() as db:
            stream = stream_id(db, *scope)
            row = _find(db, stream, external_id)
            pending = row is not None and row["deleted"] and row["local_change"] is not None
            if row is None or (row["deleted"] if deleting else not pending):
                raise _missing(external_id)
            values: tuple[int, int | None, str | None, int | None] = (0, None, None, None)
            if deleting:
                change = None if external_id.startswith(LOCAL_PREFIX) else "{}"
                values = (1, at_us, change, at_us if change else None)
            db.execute(
                "UPDATE records SET deleted = ?, deleted_at = ?, local_change = ?, "
                "local_changed_at = ?, version = version + 1 WHERE seq = ?",
                (*values, row["seq"]),
            )
            kind = ChangeKind.LOCAL_DELETE if deleting else ChangeKind.RESTORED
            db.execute(INSERT_CHANGE, (stream, external_id, None, at_us, kind.value, None, None))
            stored = _find(db, stream, external_id)
        assert stored is not None
        return record_from_row(stored, scope)

    def mark_delete_pushed(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        run_id: str | None,
    ) -> None:
        now = to_us(utcnow())
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE records SET local_change = NULL, local_changed_at = NULL, synced_at = ?, "
                f"version = version + 1 WHERE {_KEY} AND deleted = 1 "
                "AND local_change IS NOT NULL RETURNING stream",
                (now, organisation_id, connection_id, entity.value, external_id),
            )
            row = cursor.fetchone()
            if row is None:
                return
            db.execute(
                INSERT_CHANGE,
                (row[0], external_id, run_id, now, ChangeKind.DELETED.value, None, None),
            )

    def mark_pushed(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        new_external_id: str,
        data: dict[str, Any],
        content_hash: str,
        source_updated_at: datetime | None,
        run_id: str | None,
    ) -> None:
        scope = (organisation_id, connection_id, entity.value)
        now = to_us(utcnow())
        with self._db.write() as db:
            stream = stream_id(db, *scope)
            row = _find(db, stream, external_id)
            if row is None:
                raise _missing(external_id)
            if new_external_id != external_id:
                db.execute(
                    "DELETE FROM records WHERE stream = ? AND external_id = ?",
                    (stream, new_external_id),
                )
                db.execute(
                    "UPDATE record_changes SET external_id = ? "
                    "WHERE stream = ? AND external_id = ?",
                    (new_external_id, stream, external_id),
                )
            db.execute(
                "UPDATE records SET external_id = ?, data = ?, content_hash = ?, "
                "source_updated_at = coalesce(?, source_updated_at), synced_at = ?, "
                "local_change = NULL, local_changed_at = NULL, deleted = 0, deleted_at = NULL, "
                "version = version + 1 WHERE seq = ?",
                (
                    new_external_id,
                    dump_json(data),
                    content_hash,
                    opt_us(source_updated_at),
                    now,
                    row["seq"],
                ),
            )
            before, after = changed_parts(load_json(row["data"]), data)
            db.execute(
                INSERT_CHANGE,
                (
                    stream,
                    new_external_id,
                    run_id,
                    now,
                    ChangeKind.PUSHED.value,
                    opt_json(before),
                    opt_json(after),
                ),
            )

    def clear_local_change(
        self, organisation_id: str, connection_id: str, entity: Entity, external_id: str
    ) -> None:
        """Drops the pending push and keeps the data; a missing record is left alone
        (the engine calls this just before writing the vendor's version anyway)."""
        with self._db.write() as db:
            db.execute(
                f"UPDATE records SET local_change = NULL, local_changed_at = NULL WHERE {_KEY}",
                (organisation_id, connection_id, entity.value, external_id),
            )

    def record_history(
        self,
        organisation_id: str,
        connection_id: str,
        entity: Entity,
        external_id: str,
        *,
        limit: int = 100,
    ) -> list[RecordChange]:
        """Newest first."""
        sql = (
            "SELECT seq, run_id, at, kind, before, after FROM record_changes "
            f"WHERE {_KEY} ORDER BY at DESC, seq DESC LIMIT ?"
        )
        scope = (organisation_id, connection_id, entity.value)
        params = (*scope, external_id, max(limit, 0))
        with self._db.read() as db:
            rows = db.execute(sql, params).fetchall()
            history = [
                RecordChange(
                    id=str(row["seq"]),
                    organisation_id=organisation_id,
                    connection_id=connection_id,
                    entity=entity,
                    external_id=external_id,
                    run_id=row["run_id"],
                    at=from_us(row["at"]),
                    kind=row["kind"],
                    before=load_json(row["before"]),
                    after=load_json(row["after"]),
                )
                for row in rows
            ]
            if not needs_data(history):
                return history
            data = db.execute(f"SELECT data FROM records WHERE {_KEY}", params[:-1]).fetchone()
        return with_creation(history, None if data is None else load_json(data[0]))
