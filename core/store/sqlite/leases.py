"""Leases: one row per name; taking one is a read-then-write under BEGIN IMMEDIATE."""

from __future__ import annotations

from datetime import datetime

from core.models import Lease
from core.store.sqlite.codec import to_us
from core.store.sqlite.db import StoreArea

SCHEMA = (
    """CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        doc TEXT NOT NULL
    )""",
)


class LeasesMixin(StoreArea):
    def acquire_lease(self, lease: Lease, *, now: datetime) -> Lease | None:
        with self._db.write() as db:
            row = db.execute(
                "SELECT holder, expires_at, doc FROM leases WHERE name = ?", (lease.name,)
            ).fetchone()
            if row is not None and row[0] != lease.holder and row[1] > to_us(now):
                return None
            if row is not None and row[0] == lease.holder:
                held = Lease.model_validate_json(row[2])
                lease = lease.model_copy(update={"acquired_at": held.acquired_at})
            db.execute(
                "INSERT INTO leases (name, holder, expires_at, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "expires_at = excluded.expires_at, doc = excluded.doc",
                (lease.name, lease.holder, to_us(lease.expires_at), lease.model_dump_json()),
            )
        return lease

    def release_lease(self, name: str, holder: str) -> bool:
        with self._db.write() as db:
            cursor = db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
            return cursor.rowcount == 1

    def list_leases(self, prefix: str = "") -> list[Lease]:
        with self._db.read() as db:
            rows = db.execute(
                "SELECT doc FROM leases WHERE substr(name, 1, ?) = ? ORDER BY name",
                (len(prefix), prefix),
            ).fetchall()
        return [Lease.model_validate_json(row[0]) for row in rows]
