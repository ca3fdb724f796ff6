"""Organisations and connections.

A connection is keyed by (organisation, id) and its name is unique within the
organisation (a UNIQUE constraint, so two dashboards saving at once cannot
both win). Deleting one cascades through foreign keys to its records,
changes and sync states; open conflicts are removed explicitly (resolved ones
stay as history), and runs and logs are kept for the audit trail.
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

import sqlite3
from typing import Any

from core.errors import AlreadyExistsError, ChangedMeanwhileError, NotFoundError
from core.models import ConflictStatus, Connection, Organisation
from core.store.sqlite.codec import dump_json, dump_models, from_us, load_json, placeholders, to_us
from core.store.sqlite.db import StoreArea

_COLUMNS = (
    "organisation_id, id, system, name, config, sealed_secret, status, status_detail, "
    "entities, direction, conflict_policy, approve_deletes, schedule, field_overrides, "
    "alert_thresholds, run_limits, created_at, updated_at"
)
_INSERT = f"INSERT INTO connections ({_COLUMNS}) VALUES ({placeholders(_COLUMNS.count(',') + 1)})"


def _row(connection: Connection) -> tuple[Any, ...]:
    return (
        connection.organisation_id,
        connection.id,
        connection.system.value,
        connection.name,
        dump_json(connection.config),
        connection.sealed_secret,
        connection.status.value,
        connection.status_detail,
        dump_json([entity.value for entity in connection.entities]),
        connection.direction.value,
        connection.conflict_policy.value,
        int(connection.approve_deletes),
        dump_json(connection.schedule),
        dump_models(connection.field_overrides),
        dump_json(connection.alert_thresholds),
        dump_json(connection.run_limits),
        to_us(connection.created_at),
        to_us(connection.updated_at),
    )


def _connection(row: sqlite3.Row) -> Connection:
    return Connection.model_validate(
        {
            **dict(row),
            "config": load_json(row["config"]),
            "entities": load_json(row["entities"]),
            "approve_deletes": bool(row["approve_deletes"]),
            "schedule": load_json(row["schedule"]),
            "field_overrides": load_json(row["field_overrides"]),
            "alert_thresholds": load_json(row["alert_thresholds"]),
            "run_limits": load_json(row["run_limits"]),
            "created_at": from_us(row["created_at"]),
            "updated_at": from_us(row["updated_at"]),
        }
    )


def _organisation(row: sqlite3.Row) -> Organisation:
    return Organisation(id=row["id"], name=row["name"], created_at=from_us(row["created_at"]))


def _duplicate(exc: sqlite3.IntegrityError, connection: Connection) -> AlreadyExistsError:
    if "connections.name" in str(exc):
        return AlreadyExistsError(f"A connection named {connection.name!r} already exists.")
    return AlreadyExistsError(f"A connection with id {connection.id} already exists.")


class ConnectionsMixin(StoreArea):
    def ensure_organisation(self, organisation: Organisation) -> Organisation:
        with self._db.write() as db:
            db.execute(
                "INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (organisation.id, organisation.name, to_us(organisation.created_at)),
            )
            row = db.execute(
                "SELECT * FROM organisations WHERE id = ?", (organisation.id,)
            ).fetchone()
        return _organisation(row)

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute("SELECT * FROM organisations WHERE id = ?", (organisation_id,))
                .fetchone()
            )
        return None if row is None else _organisation(row)

    def create_connection(self, connection: Connection) -> Connection:
        with self._db.write() as db:
            try:
                db.execute(
                    _INSERT,
                    _row(connection),
                )
            except sqlite3.IntegrityError as exc:
                raise _duplicate(exc, connection) from None
        return connection

    def get_connection(self, organisation_id: str, connection_id: str) -> Connection | None:
        return self._one_connection("id", organisation_id, connection_id)

    def get_connection_by_name(self, organisation_id: str, name: str) -> Connection | None:
        return self._one_connection("name", organisation_id, name)

    def locate_connection(self, connection_id: str) -> Connection | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute("SELECT * FROM connections WHERE id = ? LIMIT 1", (connection_id,))
                .fetchone()
            )
        return None if row is None else _connection(row)

    def _one_connection(self, column: str, organisation_id: str, value: str) -> Connection | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute(
                    f"SELECT * FROM connections WHERE organisation_id = ? AND {column} = ?",
                    (organisation_id, value),
                )
                .fetchone()
            )
        return None if row is None else _connection(row)

    def list_connections(self, organisation_id: str | None) -> list[Connection]:
        with self._db.guard():
            if organisation_id is None:
                rows = self._db.connection().execute(
                    "SELECT * FROM connections ORDER BY organisation_id, name"
                )
            else:
                rows = self._db.connection().execute(
                    "SELECT * FROM connections WHERE organisation_id = ? ORDER BY name",
                    (organisation_id,),
                )
            return [_connection(row) for row in rows]

    def update_connection(
        self, connection: Connection, *, expected_secret: str | None = None
    ) -> Connection:
        columns = _COLUMNS.split(", ")
        values = dict(zip(columns, _row(connection), strict=True))
        names = [c for c in columns[2:] if expected_secret is not None or c != "sealed_secret"]
        assignments = ", ".join(f"{column} = ?" for column in names)
        where, bound = "organisation_id = ? AND id = ?", [connection.organisation_id, connection.id]
        if expected_secret is not None:
            where, bound = where + " AND sealed_secret = ?", [*bound, expected_secret]
        with self._db.write() as db:
            try:
                cursor = db.execute(
                    f"UPDATE connections SET {assignments} WHERE {where}",
                    (*(values[name] for name in names), *bound),
                )
            except sqlite3.IntegrityError as exc:
                raise _duplicate(exc, connection) from None
            stored = db.execute(
                "SELECT sealed_secret FROM connections WHERE organisation_id = ? AND id = ?",
                (connection.organisation_id, connection.id),
            ).fetchone()
            if stored is None:
                raise NotFoundError(f"Connection {connection.id} not found.")
            if cursor.rowcount == 0:
                raise ChangedMeanwhileError(
                    f"Connection {connection.id}'s credentials changed meanwhile; nothing was "
                    "saved, try again."
                )
        return connection.model_copy(update={"sealed_secret": stored["sealed_secret"]})

    def reseal_connection_secret(
        self, organisation_id: str, connection_id: str, *, expected: str, sealed_secret: str
    ) -> bool:
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE connections SET sealed_secret = ? "
                "WHERE organisation_id = ? AND id = ? AND sealed_secret = ?",
                (sealed_secret, organisation_id, connection_id, expected),
            )
            return cursor.rowcount == 1

    def delete_connection(self, organisation_id: str, connection_id: str) -> bool:
        with self._db.write() as db:
            cursor = db.execute(
                "DELETE FROM connections WHERE organisation_id = ? AND id = ?",
                (organisation_id, connection_id),
            )
            if cursor.rowcount == 0:
                return False
            db.execute(
                "DELETE FROM conflicts WHERE organisation_id = ? AND connection_id = ? "
                "AND status = ?",
                (organisation_id, connection_id, ConflictStatus.OPEN.value),
            )
            return True
