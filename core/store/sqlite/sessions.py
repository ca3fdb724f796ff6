"""Sign-in sessions and shared marks (replay fingerprints, rate-limit counters).

Marks are one table of named counters with an expiry: a replay fingerprint is a
mark that must not exist yet, a rate window is a counter. Expired rows count as
absent and are swept whenever a new mark is written, so the table holds no more
than the live windows of the last few minutes.
"""

# ruff: noqa: S608 (SQL text is assembled from constants and placeholders; values are bound)
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from core.models import Session
from core.store.sqlite.codec import opt_dt, opt_us, placeholders, to_us
from core.store.sqlite.db import StoreArea

# Schema version 12.
SCHEMA = (
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        username TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        via TEXT NOT NULL
    )""",
    "CREATE INDEX sessions_by_user ON sessions (organisation_id, user_id, expires_at)",
    "CREATE INDEX sessions_by_expiry ON sessions (organisation_id, expires_at)",
    """CREATE TABLE marks (
        name TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    )""",
    "CREATE INDEX marks_by_expiry ON marks (expires_at)",
)


def _session(row: sqlite3.Row) -> Session:
    return Session.model_validate(
        {
            **dict(row),
            "created_at": opt_dt(row["created_at"]),
            "expires_at": opt_dt(row["expires_at"]),
            "revoked_at": opt_dt(row["revoked_at"]),
        }
    )


class SessionsMixin(StoreArea):
    def create_session(self, session: Session) -> Session:
        with self._db.write() as db:
            db.execute(
                "INSERT INTO sessions (id, organisation_id, user_id, username, created_at, "
                "expires_at, revoked_at, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session.id,
                    session.organisation_id,
                    session.user_id,
                    session.username,
                    to_us(session.created_at),
                    to_us(session.expires_at),
                    opt_us(session.revoked_at),
                    session.via,
                ),
            )
            db.execute("DELETE FROM sessions WHERE expires_at <= ?", (to_us(session.created_at),))
        return session

    def get_session(self, session_id: str) -> Session | None:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute("SELECT * FROM sessions WHERE id = ?", (session_id,))
                .fetchone()
            )
        return None if row is None else _session(row)

    def list_sessions(
        self, organisation_id: str, *, active_at: datetime, user_id: str | None = None
    ) -> list[Session]:
        query = (
            "SELECT * FROM sessions WHERE organisation_id = ? AND expires_at > ? "
            "AND revoked_at IS NULL"
        )
        params: list[object] = [organisation_id, to_us(active_at)]
        if user_id is not None:
            query += " AND user_id = ?"
            params.append(user_id)
        with self._db.read() as db:
            rows = db.execute(query + " ORDER BY created_at DESC, id DESC", params).fetchall()
        return [_session(row) for row in rows]

    def revoke_sessions(
        self,
        organisation_id: str,
        *,
        at: datetime,
        session_id: str | None = None,
        user_id: str | None = None,
    ) -> int:
        if session_id is None and user_id is None:
            raise ValueError("revoke_sessions needs a session id or a user id")
        query = (
            "UPDATE sessions SET revoked_at = ? WHERE organisation_id = ? AND revoked_at IS NULL"
        )
        params: list[object] = [to_us(at), organisation_id]
        for column, value in (("id", session_id), ("user_id", user_id)):
            if value is not None:
                query += f" AND {column} = ?"
                params.append(value)
        with self._db.write() as db:
            return db.execute(query, params).rowcount

    # -- marks ---------------------------------------------------------------------------------

    def add_marks(self, names: Sequence[str], *, expires_at: datetime, now: datetime) -> bool:
        with self._db.write() as db:
            db.execute("DELETE FROM marks WHERE expires_at <= ?", (to_us(now),))
            taken = db.execute(
                f"SELECT 1 FROM marks WHERE name IN ({placeholders(len(names))}) LIMIT 1",
                list(names),
            ).fetchone()
            if taken is not None:
                return False
            db.executemany(
                "INSERT INTO marks (name, count, expires_at) VALUES (?, 1, ?)",
                [(name, to_us(expires_at)) for name in dict.fromkeys(names)],
            )
        return True

    def count_mark(self, name: str, *, expires_at: datetime, now: datetime) -> int:
        with self._db.write() as db:
            row = db.execute(
                "INSERT INTO marks (name, count, expires_at) VALUES (?, 1, ?) "
                "ON CONFLICT (name) DO UPDATE SET "
                "count = CASE WHEN marks.expires_at <= ? THEN 1 ELSE marks.count + 1 END, "
                "expires_at = CASE WHEN marks.expires_at <= ? THEN excluded.expires_at "
                "ELSE marks.expires_at END "
                "RETURNING count",
                (name, to_us(expires_at), to_us(now), to_us(now)),
            ).fetchone()
            if int(row[0]) == 1:  # a new window: sweep the ones that ended
                db.execute("DELETE FROM marks WHERE expires_at <= ?", (to_us(now),))
        return int(row[0])

    def read_mark(self, name: str, *, now: datetime) -> int:
        with self._db.guard():
            row = (
                self._db.connection()
                .execute(
                    "SELECT count FROM marks WHERE name = ? AND expires_at > ?",
                    (name, to_us(now)),
                )
                .fetchone()
            )
        return 0 if row is None else int(row[0])
