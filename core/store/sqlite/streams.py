"""Record streams (schema version 10): one integer key per (organisation, connection, entity).

Why: every record and every change entry used to carry the organisation id,
connection id and entity as text, and so did their hot indexes (records_key,
records_live, record_changes_key): about 70 bytes of key per index entry, written
three or four times per stored record. A stream id is one small integer, so each
index entry shrinks to (integer, external id) and a sync writes a fraction of
the bytes. Queries name a stream through `STREAM`, a subquery on the stream
table's unique key, so no cache can go stale when a connection is deleted (its
streams, records and changes cascade away with it).

Version 10 also drops the change entries' text id and its unique index: a change
is named by its integer `seq`, which SQLite assigns anyway.
"""

from __future__ import annotations

import sqlite3

from core.store.sqlite.db import require_connection

STREAM = (
    "(SELECT id FROM record_streams WHERE organisation_id = ? AND connection_id = ? AND entity = ?)"
)

V10: tuple[str, ...] = (
    """CREATE TABLE record_streams (
        id INTEGER PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        CONSTRAINT record_streams_key UNIQUE (organisation_id, connection_id, entity),
        FOREIGN KEY (organisation_id, connection_id)
            REFERENCES connections (organisation_id, id) ON DELETE CASCADE
    )""",
    """INSERT INTO record_streams (organisation_id, connection_id, entity)
        SELECT organisation_id, connection_id, entity FROM records
        UNION SELECT organisation_id, connection_id, entity FROM record_changes""",
    """CREATE TABLE records_v10 (
        seq INTEGER PRIMARY KEY,
        stream INTEGER NOT NULL REFERENCES record_streams (id) ON DELETE CASCADE,
        external_id TEXT NOT NULL,
        data TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        source_created_at INTEGER,
        source_updated_at INTEGER,
        synced_at INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        deleted_at INTEGER,
        local_change TEXT,
        local_changed_at INTEGER,
        version INTEGER NOT NULL
    )""",
    """INSERT INTO records_v10 (seq, stream, external_id, data, content_hash,
            source_created_at, source_updated_at, synced_at, deleted, deleted_at, local_change,
            local_changed_at, version)
        SELECT r.seq, s.id, r.external_id, r.data, r.content_hash, r.source_created_at,
            r.source_updated_at, r.synced_at, r.deleted, r.deleted_at, r.local_change,
            r.local_changed_at, r.version
        FROM records AS r
        JOIN record_streams AS s USING (organisation_id, connection_id, entity)""",
    """CREATE TABLE record_changes_v10 (
        seq INTEGER PRIMARY KEY,
        stream INTEGER NOT NULL REFERENCES record_streams (id) ON DELETE CASCADE,
        external_id TEXT NOT NULL,
        run_id TEXT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        before TEXT,
        after TEXT
    )""",
    """INSERT INTO record_changes_v10 (seq, stream, external_id, run_id, at, kind, before, after)
        SELECT c.seq, s.id, c.external_id, c.run_id, c.at, c.kind, c.before, c.after
        FROM record_changes AS c
        JOIN record_streams AS s USING (organisation_id, connection_id, entity)""",
    "DROP TABLE records",
    "DROP TABLE record_changes",
    "ALTER TABLE records_v10 RENAME TO records",
    "ALTER TABLE record_changes_v10 RENAME TO record_changes",
    "CREATE UNIQUE INDEX records_key ON records (stream, external_id)",
    "CREATE INDEX records_live ON records (stream, deleted)",
    "CREATE INDEX records_pending ON records (stream, external_id) WHERE local_change IS NOT NULL",
    "CREATE INDEX record_changes_key ON record_changes (stream, external_id, at)",
)


def stream_id(db: sqlite3.Connection, organisation_id: str, connection_id: str, entity: str) -> int:
    """The stream's id, created on first use (inside the caller's write transaction);
    NotFoundError unless the organisation owns the connection."""
    key = (organisation_id, connection_id, entity)
    row = db.execute(STREAM[1:-1], key).fetchone()
    if row is not None:
        return int(row[0])
    require_connection(db, organisation_id, connection_id)
    cursor = db.execute(
        "INSERT INTO record_streams (organisation_id, connection_id, entity) VALUES (?, ?, ?)",
        key,
    )
    return int(cursor.lastrowid or 0)
