"""Schema version 1. Later versions are appended to `MIGRATIONS` in migrations.py.

Conventions: times are integer microseconds UTC (see codec.py); enum columns
hold the enum's value and have no CHECK constraint, because SQLite can only
change a constraint by rebuilding the table and enums grow. Logs and runs have
no foreign key to connections: they outlive a deleted connection (audit
trail). Records, changes and sync states cascade with their connection.

Index notes (the queries they serve are in logs.py, kpis.py, records.py, runs.py):
- logs_time is the default "newest first" listing and the keyset of exports.
- logs_system/logs_status/logs_connection/logs_run lead with the filter column
  so a filtered page *and its total count* read only matching entries.
- logs_level covers the error counts. logs_operation was widened here for the
  KPIs; version 2 narrowed it when the hourly rollups took over the additive
  figures (rollups.py), and version 3 added the per-shape p95 indexes (kpis.py).
"""

from __future__ import annotations

V1: tuple[str, ...] = (
    """CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
    )""",
    """CREATE TABLE connections (
        organisation_id TEXT NOT NULL,
        id TEXT NOT NULL,
        system TEXT NOT NULL,
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        sealed_secret TEXT NOT NULL,
        status TEXT NOT NULL,
        status_detail TEXT,
        entities TEXT NOT NULL,
        direction TEXT NOT NULL,
        conflict_policy TEXT NOT NULL,
        approve_deletes INTEGER NOT NULL,
        schedule TEXT NOT NULL,
        field_overrides TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (organisation_id, id),
        CONSTRAINT connections_name UNIQUE (organisation_id, name)
    )""",
    """CREATE TABLE logs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        time INTEGER NOT NULL,
        organisation_id TEXT NOT NULL,
        connection_id TEXT,
        system TEXT,
        run_id TEXT,
        entity TEXT,
        operation TEXT NOT NULL,
        level TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL,
        message_folded TEXT NOT NULL,
        duration_ms REAL,
        records_processed INTEGER NOT NULL,
        records_created INTEGER NOT NULL,
        records_updated INTEGER NOT NULL,
        records_failed INTEGER NOT NULL,
        http_status INTEGER,
        error_category TEXT,
        metadata TEXT
    )""",
    "CREATE INDEX logs_time ON logs (organisation_id, time, id)",
    "CREATE INDEX logs_system ON logs (organisation_id, system, status, time)",
    "CREATE INDEX logs_status ON logs (organisation_id, status, time)",
    "CREATE INDEX logs_connection ON logs (organisation_id, connection_id, time)",
    "CREATE INDEX logs_run ON logs (organisation_id, run_id, time) WHERE run_id IS NOT NULL",
    """CREATE INDEX logs_operation ON logs (organisation_id, operation, time, system,
        connection_id, entity, status, duration_ms, records_processed)""",
    """CREATE INDEX logs_level ON logs (organisation_id, level, time, system, connection_id,
        error_category)""",
    """CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity TEXT NOT NULL,
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
        version INTEGER NOT NULL,
        FOREIGN KEY (organisation_id, connection_id)
            REFERENCES connections (organisation_id, id) ON DELETE CASCADE
    )""",
    """CREATE UNIQUE INDEX records_key
        ON records (organisation_id, connection_id, entity, external_id)""",
    "CREATE INDEX records_live ON records (organisation_id, connection_id, deleted, entity)",
    """CREATE INDEX records_pending ON records (organisation_id, connection_id, entity,
        external_id) WHERE local_change IS NOT NULL""",
    """CREATE TABLE record_changes (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        organisation_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        external_id TEXT NOT NULL,
        run_id TEXT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        before TEXT,
        after TEXT,
        FOREIGN KEY (organisation_id, connection_id)
            REFERENCES connections (organisation_id, id) ON DELETE CASCADE
    )""",
    """CREATE INDEX record_changes_key
        ON record_changes (organisation_id, connection_id, entity, external_id, at)""",
    """CREATE TABLE sync_states (
        organisation_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        cursor TEXT,
        checkpoint TEXT,
        last_full_sync_at INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (organisation_id, connection_id, entity),
        FOREIGN KEY (organisation_id, connection_id)
            REFERENCES connections (organisation_id, id) ON DELETE CASCADE
    )""",
    """CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        system TEXT NOT NULL,
        trigger TEXT NOT NULL,
        options TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        heartbeat_at INTEGER,
        worker_id TEXT,
        attempt INTEGER NOT NULL,
        resume_after INTEGER,
        cancel_requested INTEGER NOT NULL,
        progress TEXT NOT NULL,
        counts TEXT NOT NULL,
        planned TEXT NOT NULL,
        error TEXT,
        error_category TEXT
    )""",
    # The one-active-run rule lives here, so it holds across every process.
    """CREATE UNIQUE INDEX runs_one_active ON runs (organisation_id, connection_id)
        WHERE state IN ('queued', 'running', 'paused')""",
    """CREATE INDEX runs_claimable ON runs (created_at, id)
        WHERE state IN ('queued', 'running', 'paused')""",
    "CREATE INDEX runs_by_organisation ON runs (organisation_id, created_at, id)",
    """CREATE INDEX runs_by_connection
        ON runs (organisation_id, connection_id, created_at, id)""",
    """CREATE TABLE conflicts (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        system TEXT NOT NULL,
        entity TEXT NOT NULL,
        external_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        local TEXT,
        remote TEXT,
        differing_fields TEXT NOT NULL,
        local_changed_at INTEGER,
        remote_changed_at INTEGER,
        run_id TEXT,
        detected_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        resolution TEXT,
        resolved_data TEXT,
        resolved_by TEXT,
        resolved_at INTEGER
    )""",
    """CREATE UNIQUE INDEX conflicts_one_open
        ON conflicts (organisation_id, connection_id, entity, external_id)
        WHERE status = 'open'""",
    "CREATE INDEX conflicts_by_status ON conflicts (organisation_id, status, detected_at)",
    """CREATE INDEX conflicts_by_connection
        ON conflicts (organisation_id, connection_id, status, detected_at)""",
    """CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        connection_id TEXT,
        system TEXT,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        count INTEGER NOT NULL,
        acknowledged_at INTEGER
    )""",
    """CREATE UNIQUE INDEX alerts_one_open
        ON alerts (organisation_id, coalesce(connection_id, ''), kind)
        WHERE acknowledged_at IS NULL""",
    "CREATE INDEX alerts_by_organisation ON alerts (organisation_id, last_seen_at)",
)
