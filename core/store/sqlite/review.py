"""Conflicts and alerts: what waits for a person.

Both are deduplicated by partial unique indexes (one open conflict per
record; one unresolved alert per organisation, connection and kind), and
the read-then-write of the dedup runs under `BEGIN IMMEDIATE`, so two workers
reporting the same problem at once still leave one row.
"""

# ruff: noqa: S608 (SQL text is assembled from module constants; values are bound parameters)

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.errors import AlreadyExistsError, NotFoundError
from core.models import Alert, AlertKind, Conflict, ConflictStatus
from core.store.queries import Page
from core.store.sqlite.codec import (
    dump_json,
    enum_value,
    load_json,
    opt_dt,
    opt_json,
    opt_us,
    placeholders,
    to_us,
)
from core.store.sqlite.db import StoreArea

_CONFLICT_COLUMNS = (
    "id, organisation_id, connection_id, system, entity, external_id, kind, local, remote, "
    "differing_fields, local_changed_at, remote_changed_at, run_id, detected_at, status, "
    "resolution, resolved_data, resolved_by, resolved_at"
)
# What a newer detection of the same open conflict replaces; id and detected_at stay.
_VERSIONS = "kind, local, remote, differing_fields, local_changed_at, remote_changed_at, run_id"
_ALERT_COLUMNS = (
    "id, organisation_id, connection_id, system, kind, severity, message, created_at, "
    "last_seen_at, count, acknowledged_at, acknowledged_by, resolved_at, resolved_by"
)
_INSERT_ALERT = (
    f"INSERT INTO alerts ({_ALERT_COLUMNS}) VALUES ({placeholders(_ALERT_COLUMNS.count(',') + 1)})"
)


def _conflict_row(conflict: Conflict) -> dict[str, Any]:
    return {
        "id": conflict.id,
        "organisation_id": conflict.organisation_id,
        "connection_id": conflict.connection_id,
        "system": conflict.system.value,
        "entity": conflict.entity.value,
        "external_id": conflict.external_id,
        "kind": conflict.kind.value,
        "local": opt_json(conflict.local),
        "remote": opt_json(conflict.remote),
        "differing_fields": dump_json(conflict.differing_fields),
        "local_changed_at": opt_us(conflict.local_changed_at),
        "remote_changed_at": opt_us(conflict.remote_changed_at),
        "run_id": conflict.run_id,
        "detected_at": to_us(conflict.detected_at),
        "status": conflict.status.value,
        "resolution": enum_value(conflict.resolution),
        "resolved_data": opt_json(conflict.resolved_data),
        "resolved_by": conflict.resolved_by,
        "resolved_at": opt_us(conflict.resolved_at),
    }


def _conflict(row: sqlite3.Row) -> Conflict:
    times = ("local_changed_at", "remote_changed_at", "detected_at", "resolved_at")
    documents = ("local", "remote", "differing_fields", "resolved_data")
    return Conflict.model_validate(
        {
            **dict(row),
            **{name: opt_dt(row[name]) for name in times},
            **{name: load_json(row[name]) for name in documents},
        }
    )


def _alert(row: sqlite3.Row) -> Alert:
    times = ("created_at", "last_seen_at", "acknowledged_at", "resolved_at")
    return Alert.model_validate({**dict(row), **{name: opt_dt(row[name]) for name in times}})


def _assignments(columns: str) -> str:
    return ", ".join(f"{column} = :{column}" for column in columns.split(", "))


class ReviewMixin(StoreArea):
    def add_conflict(self, conflict: Conflict) -> Conflict:
        row = _conflict_row(conflict)
        with self._db.write() as db:
            open_id = None
            if conflict.status is ConflictStatus.OPEN:
                found = db.execute(
                    "SELECT id FROM conflicts WHERE organisation_id = :organisation_id "
                    "AND connection_id = :connection_id AND entity = :entity "
                    "AND external_id = :external_id AND status = 'open'",
                    row,
                ).fetchone()
                open_id = None if found is None else found[0]
            if open_id is None:
                names = _CONFLICT_COLUMNS.split(", ")
                try:
                    db.execute(
                        f"INSERT INTO conflicts ({_CONFLICT_COLUMNS}) "
                        f"VALUES ({', '.join(':' + name for name in names)})",
                        row,
                    )
                except sqlite3.IntegrityError:
                    raise AlreadyExistsError(f"Conflict {conflict.id} already exists.") from None
                open_id = conflict.id
            else:
                db.execute(
                    f"UPDATE conflicts SET {_assignments(_VERSIONS)} WHERE id = :open_id",
                    {**row, "open_id": open_id},
                )
            stored = db.execute("SELECT * FROM conflicts WHERE id = ?", (open_id,)).fetchone()
        return _conflict(stored)

    def get_conflict(self, organisation_id: str, conflict_id: str) -> Conflict | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute(
                    "SELECT * FROM conflicts WHERE organisation_id = ? AND id = ?",
                    (organisation_id, conflict_id),
                )
                .fetchone()
            )
        return None if row is None else _conflict(row)

    def list_conflicts(
        self,
        organisation_id: str,
        *,
        status: ConflictStatus | None = ConflictStatus.OPEN,
        connection_id: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Conflict]:
        """Newest detection first."""
        terms, params = ["organisation_id = ?"], [organisation_id]
        if connection_id is not None:
            terms.append("connection_id = ?")
            params.append(connection_id)
        if status is not None:
            terms.append("status = ?")
            params.append(status.value)
        where = " AND ".join(terms)
        offset, limit = max(offset, 0), max(limit, 0)
        with self._db.read() as db:
            rows = db.execute(
                f"SELECT * FROM conflicts WHERE {where} "
                "ORDER BY detected_at DESC, id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            total = db.execute(f"SELECT COUNT(*) FROM conflicts WHERE {where}", params).fetchone()
        items = [_conflict(row) for row in rows]
        return Page[Conflict](items=items, total=int(total[0]), offset=offset, limit=limit)

    def save_conflict(self, conflict: Conflict) -> Conflict:
        """Replace a stored conflict (resolution, dismissal); NotFoundError if absent."""
        row = _conflict_row(conflict)
        columns = _CONFLICT_COLUMNS.split(", ", 2)[2]  # all but id and organisation_id
        with self._db.write() as db:
            try:
                cursor = db.execute(
                    f"UPDATE conflicts SET {_assignments(columns)} "
                    "WHERE organisation_id = :organisation_id AND id = :id",
                    row,
                )
            except sqlite3.IntegrityError:
                raise AlreadyExistsError(
                    f"Record {conflict.external_id} already has an open conflict."
                ) from None
            if cursor.rowcount == 0:
                raise NotFoundError(f"Conflict {conflict.id} not found.")
        return conflict

    def raise_alert(self, alert: Alert) -> Alert:
        with self._db.write() as db:
            found = db.execute(
                "SELECT id FROM alerts WHERE organisation_id = ? "
                "AND coalesce(connection_id, '') = coalesce(?, '') AND kind = ? "
                "AND resolved_at IS NULL",
                (alert.organisation_id, alert.connection_id, alert.kind.value),
            ).fetchone()
            if found is None:
                values = (
                    alert.id,
                    alert.organisation_id,
                    alert.connection_id,
                    enum_value(alert.system),
                    alert.kind.value,
                    alert.severity.value,
                    alert.message,
                    to_us(alert.created_at),
                    to_us(alert.last_seen_at),
                    alert.count,
                    opt_us(alert.acknowledged_at),
                    alert.acknowledged_by,
                    opt_us(alert.resolved_at),
                    alert.resolved_by,
                )
                db.execute(
                    _INSERT_ALERT,
                    values,
                )
                alert_id = alert.id
            else:
                alert_id = found[0]
                db.execute(
                    "UPDATE alerts SET count = count + ?, message = ?, severity = ?, "
                    "last_seen_at = ?, system = coalesce(?, system) WHERE id = ?",
                    (
                        alert.count,
                        alert.message,
                        alert.severity.value,
                        to_us(alert.last_seen_at),
                        enum_value(alert.system),
                        alert_id,
                    ),
                )
            stored = db.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return _alert(stored)

    def list_alerts(self, organisation_id: str, *, open_only: bool = True) -> list[Alert]:
        """Most recently seen first; `open_only`: unresolved (acknowledged or not)."""
        where = "organisation_id = ?" + (" AND resolved_at IS NULL" if open_only else "")
        with self._db.guard():
            rows = self._db.connection().execute(
                f"SELECT * FROM alerts WHERE {where} ORDER BY last_seen_at DESC, id DESC",
                (organisation_id,),
            )
            return [_alert(row) for row in rows]

    def acknowledge_alert(
        self, organisation_id: str, alert_id: str, *, at: datetime, by: str | None = None
    ) -> Alert | None:
        """The alert, if this call acknowledged an open, unacknowledged alert."""
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? "
                "WHERE organisation_id = ? AND id = ? AND acknowledged_at IS NULL "
                "AND resolved_at IS NULL",
                (to_us(at), by, organisation_id, alert_id),
            )
            if cursor.rowcount != 1:
                return None
            row = db.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return _alert(row)

    def resolve_alerts(
        self,
        organisation_id: str,
        *,
        at: datetime,
        by: str,
        connection_id: str | None = None,
        kinds: Sequence[AlertKind] = (),
        alert_id: str | None = None,
    ) -> list[Alert]:
        """Resolve the matching unresolved alerts; returns those this call resolved."""
        terms, params = ["organisation_id = ?", "resolved_at IS NULL"], [organisation_id]
        if connection_id is not None:
            terms.append("connection_id = ?")
            params.append(connection_id)
        if kinds:
            terms.append(f"kind IN ({placeholders(len(kinds))})")
            params.extend(kind.value for kind in kinds)
        if alert_id is not None:
            terms.append("id = ?")
            params.append(alert_id)
        where = " AND ".join(terms)
        with self._db.write() as db:
            ids = [row[0] for row in db.execute(f"SELECT id FROM alerts WHERE {where}", params)]
            if not ids:
                return []
            marks = placeholders(len(ids))
            db.execute(
                f"UPDATE alerts SET resolved_at = ?, resolved_by = ? WHERE id IN ({marks})",
                [to_us(at), by, *ids],
            )
            rows = db.execute(f"SELECT * FROM alerts WHERE id IN ({marks})", ids).fetchall()
        return [_alert(row) for row in rows]
