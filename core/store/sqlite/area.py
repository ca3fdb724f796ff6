"""What every area mixin of SqliteStore shares: the database handle and scoping checks."""

from __future__ import annotations

import sqlite3

from core.errors import NotFoundError
from core.store.sqlite.db import Database


class StoreArea:
    """Base of the area mixins (connections, logs, kpis, records, runs, review).

    Splitting by area keeps each file readable; they share one `Database` and
    never call each other's public methods inside a transaction (transactions
    do not nest)."""

    _db: Database


def require_connection(
    connection: sqlite3.Connection, organisation_id: str, connection_id: str
) -> None:
    """NotFoundError unless the organisation owns the connection (another
    organisation's connection is reported exactly like a missing one)."""
    row = connection.execute(
        "SELECT 1 FROM connections WHERE organisation_id = ? AND id = ?",
        (organisation_id, connection_id),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Connection {connection_id} not found.")
